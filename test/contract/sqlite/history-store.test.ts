import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { SqliteHistoryStore } from "../../../src/store/sqlite/history-store.js";
import { ScriptedShop } from "../../helpers/scripted-history.js";
import { historyStoreContract } from "../history-store.contract.js";
import { sqliteStore } from "../store-harness.js";

historyStoreContract(
  "sqlite",
  sqliteStore((db) => {
    const shop = new ScriptedShop(db);
    return {
      history: new SqliteHistoryStore(db),
      events: new SqliteEventStore(db),
      seed: {
        product(code, quantity, at, min) {
          shop.product(code, quantity, at, { min: min ?? null });
        },
        move(code, delta, at) {
          shop.move(code, delta, at, "customer");
        },
      },
    };
  }),
);
