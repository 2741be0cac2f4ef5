import { SqliteForecastStore } from "../../../src/store/sqlite/forecast-store.js";
import { ScriptedShop } from "../../helpers/scripted-history.js";
import { forecastStoreContract } from "../forecast-store.contract.js";
import { sqliteStore } from "../store-harness.js";

forecastStoreContract(
  "sqlite",
  sqliteStore((db) => {
    const shop = new ScriptedShop(db);
    return {
      forecasts: new SqliteForecastStore(db),
      seed: {
        product(code, quantity, at) {
          shop.product(code, quantity, at);
        },
        move(code, delta, at, changedBy) {
          shop.move(code, delta, at, changedBy);
        },
      },
    };
  }),
);
