import type { Migration } from "../migrate.js";

/** Reserved for the stock tables; filled in by the stock module. */
export const m0002: Migration = {
  version: 2,
  name: "stock",
  sql: `SELECT 1;`,
};
