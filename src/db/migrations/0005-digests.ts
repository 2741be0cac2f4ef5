import type { Migration } from "../migrate.js";

/** Reserved for the digests tables; filled in by the digests module. */
export const m0005: Migration = {
  version: 5,
  name: "digests",
  sql: `SELECT 1;`,
};
