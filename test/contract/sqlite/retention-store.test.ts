import { SqliteAlertStore } from "../../../src/store/sqlite/alert-store.js";
import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { SqliteRetentionStore } from "../../../src/store/sqlite/retention-store.js";
import { SqliteSilenceStore } from "../../../src/store/sqlite/silence-store.js";
import { SqliteSlackThreadStore } from "../../../src/store/sqlite/slack-thread-store.js";
import { ScriptedShop } from "../../helpers/scripted-history.js";
import { retentionStoreContract } from "../retention-store.contract.js";
import { sqliteStore } from "../store-harness.js";

retentionStoreContract(
  "sqlite",
  sqliteStore((db) => {
    const shop = new ScriptedShop(db);
    return {
      retention: new SqliteRetentionStore(db),
      alerts: new SqliteAlertStore(db),
      threads: new SqliteSlackThreadStore(db),
      silences: new SqliteSilenceStore(db),
      events: new SqliteEventStore(db),
      seed: {
        product(code, quantity, at) {
          shop.product(code, quantity, at);
        },
        move(code, delta, at) {
          shop.move(code, delta, at, "customer");
        },
      },
    };
  }),
);
