import type { Migration } from "../migrate.js";

/** Reserved for the alerts tables; filled in by the alerts module. */
export const m0003: Migration = {
  version: 3,
  name: "alerts",
  sql: `SELECT 1;`,
};
