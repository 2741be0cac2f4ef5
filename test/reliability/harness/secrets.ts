import Database from "better-sqlite3";

/**
 * The secrets every reliability daemon is configured with. Distinctive values, so a scan of the
 * logs and the database finds them if they leak anywhere (a token echoed in an error, an SMTP URL
 * with its password in a log line).
 */
export const SECRETS = {
  webhookKey: "whk0reliab0c3a9b7d6f1e",
  apiToken: "shoptettok0reliab071c9e2",
  slackToken: "xoxb-1111-reliab-4b8e1f0",
  adminToken: "admtok0reliab092a7d3",
  smtpUser: "stockwatch-relay",
  smtpPass: "smtppw0reliab05c3f",
} as const;

/** The values that must never appear in output (the SMTP user name is not a secret). */
export const SECRET_VALUES: readonly string[] = [
  SECRETS.webhookKey,
  SECRETS.apiToken,
  SECRETS.slackToken,
  SECRETS.adminToken,
  SECRETS.smtpPass,
];

/** The secrets found in a text, by name (empty when clean). */
export function secretsIn(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([name, value]) => name !== "smtpUser" && text.includes(value))
    .map(([name]) => name);
}

/**
 * Every text cell of every table of a SQLite file (stored errors, notes, message bodies, raw
 * webhooks), as `table.column: value` lines, read through a read-only connection.
 */
export function storedText(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    const out: string[] = [];
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).iterate() as Iterable<Record<string, unknown>>) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value === "string") out.push(`${name}.${column}: ${value}`);
          else if (Buffer.isBuffer(value)) out.push(`${name}.${column}: ${value.toString("latin1")}`);
        }
      }
    }
    return out.join("\n");
  } finally {
    db.close();
  }
}
