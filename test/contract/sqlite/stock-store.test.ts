import { stockStoreContract } from "../stock-store.contract.js";
import { sqliteStore } from "../store-harness.js";
import { sqliteStockStores } from "./stock-stores.js";

stockStoreContract("sqlite", sqliteStore(sqliteStockStores));
