import type { Migration } from "../migrate.js";

/** Reserved for the outbox tables; filled in by the outbox module. */
export const m0004: Migration = {
  version: 4,
  name: "outbox",
  sql: `SELECT 1;`,
};
