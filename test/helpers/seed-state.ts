import type { Db } from "../../src/db/open-database.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { systemClock } from "../../src/shared/clock.js";

/**
 * Seeds product state, alerts and deliveries straight into the tables, for views (dashboard, API)
 * that only read them. Column names follow migrations 0002-0004.
 */
export function seedProduct(
  db: Db,
  p: { eshopId?: number; code: string; name: string; quantity: number; min: number | null; level: "soldOut" | "low" | "ok"; since: number },
): void {
  const cols = db.prepare("PRAGMA table_info(stock_products)").all() as { name: string; notnull: number; dflt_value: unknown }[];
  const values: Record<string, unknown> = {
    eshop_id: p.eshopId ?? 222651,
    code: p.code,
    name: p.name,
    quantity_milli: Math.round(p.quantity * 1000),
    min_milli: p.min === null ? null : Math.round(p.min * 1000),
    level: p.level,
    level_since: p.since,
    updated_at: p.since,
    estimated: 0,
  };
  for (const c of cols) {
    if (!(c.name in values) && c.notnull && c.dflt_value === null) values[c.name] = c.name.endsWith("_at") ? p.since : 0;
  }
  const names = Object.keys(values).filter((n) => cols.some((c) => c.name === n));
  db.prepare(`INSERT INTO stock_products (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(
    ...names.map((n) => values[n] as never),
  );
}

/** A delivery that failed for good, as the delivery worker leaves it. */
export function seedDeadDelivery(db: Db, summary: string, error: string): number {
  const outbox = createOutbox(db, systemClock);
  const { id } = outbox.enqueue({
    dedupeKey: `seed:${summary}`,
    channel: "warehouse",
    destination: { type: "slack", channel: "#warehouse" },
    body: {
      kind: "alert",
      rule: "sold-out",
      severity: "critical",
      transition: "open",
      alertId: 1,
      subject: { eshopId: 222651, code: "KAV-1", name: "Coffee", quantity: 0, minStockSupply: 5, level: "soldOut" },
      summary,
    },
    notBefore: 0,
  });
  db.prepare("UPDATE outbox SET status = 'dead', attempts = 3, last_error = ? WHERE id = ?").run(error, id);
  return id;
}
