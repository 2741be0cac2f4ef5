import { openDatabase, type Db } from "../../src/db/open-database.js";
import { tempDbPath } from "../helpers/temp-dir.js";

/**
 * How contract suites get a store. A contract suite (`test/contract/<name>.contract.ts`) is
 * written against one repository interface only, `await`s every call (so an asynchronous
 * implementation can run it too) and is exported as a function taking the implementation's name
 * and an `OpenStore`. Each implementation runs it from a test file of its own, e.g.
 * `test/contract/sqlite/job-store.test.ts`:
 *
 *   jobStoreContract("sqlite", sqliteStore((db) => createSqliteJobStore(db)));
 */
export interface OpenedStore<S> {
  /** The repository under test, on a fresh, migrated, empty database. */
  store: S;
  close(): Promise<void>;
}

export type OpenStore<S> = () => Promise<OpenedStore<S>>;

/** A fresh SQLite database on a real file in a temporary folder (removed after the test), every migration applied. */
export function openSqliteDb(): Db {
  return openDatabase(tempDbPath());
}

/** An `OpenStore` for a SQLite repository built by `build` on a fresh database file. */
export function sqliteStore<S>(build: (db: Db) => S): OpenStore<S> {
  return async () => {
    const db = openSqliteDb();
    return {
      store: build(db),
      async close() {
        if (db.open) db.close();
      },
    };
  };
}
