/**
 * Turns a SQLite error into one line an operator can act on: SQLite's own text ("disk I/O
 * error") names neither the cause nor the fix.
 */
export function describeStorageError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === "string" ? ((error as { code: string }).code) : undefined;
  if (code === undefined || !code.startsWith("SQLITE_")) return message;
  return `${message} (${code}): ${hintFor(code)}`;
}

function hintFor(code: string): string {
  if (code.startsWith("SQLITE_FULL")) return "the disk holding STOCKWATCH_DB is full; free space (it recovers by itself)";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return "another process held the database's write lock too long (a long CLI command?)";
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_CANTOPEN")) {
    return "the database file, its -wal/-shm files or their folder cannot be written; fix the permissions";
  }
  if (code.startsWith("SQLITE_IOERR")) {
    return "the system refused a write to STOCKWATCH_DB or its -wal file (read-only or failing disk, immutable file?); check the disk and the file";
  }
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return "the database file is damaged; restore it from a backup";
  }
  return "see the SQLite documentation for this code";
}
