import type Database from "better-sqlite3";
import { ConfigError } from "../shared/errors.js";
import { migrations } from "./migrations/index.js";

export interface Migration {
  /** Sequential, starting at 1; recorded in schema_migrations. */
  version: number;
  name: string;
  sql: string;
}

/**
 * Applies every migration newer than the database, each in its own transaction, and records it.
 * Safe to run on every start and from several processes (the write lock serialises them).
 * Refuses (ConfigError, nothing changed) a database that a newer stockwatch has migrated further.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = migrations): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied: number[] = [];
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbering has a gap or duplicate at ${m.version} (${m.name})`);
  });
  refuseNewerSchema(db, sorted.length);
  const has = db.prepare<[number], { version: number }>("SELECT version FROM schema_migrations WHERE version = ?");
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const m of sorted) {
    const apply = db.transaction(() => {
      if (has.get(m.version)) return false;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(m.version);
  }
  return applied;
}

/**
 * A database migrated by a newer stockwatch may have columns, tables or meanings this code does
 * not know (and would write wrongly), so it is refused before anything is written. A read only:
 * schema_migrations exists by now.
 */
function refuseNewerSchema(db: Database.Database, newestKnown: number): void {
  const row = db.prepare<[], { version: number | null }>("SELECT max(version) AS version FROM schema_migrations").get();
  const version = row?.version ?? 0;
  if (version <= newestKnown) return;
  const where = db.memory ? "the database" : `the database ${db.name}`;
  throw new ConfigError(
    `${where} has schema version ${version}, newer than this stockwatch knows (${newestKnown}): it was last used by a newer stockwatch. ` +
      `Upgrade stockwatch to that version, or restore a backup taken before the upgrade (or point STOCKWATCH_DB at another file); nothing was changed`,
  );
}
