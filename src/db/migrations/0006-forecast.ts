import type { Migration } from "../migrate.js";

/**
 * Days-of-cover forecasts: a per-product, per-UTC-day summary of the movement log, kept up to date
 * by a trigger on `stock_movements` (so every writer of movements feeds it, with no hook to
 * forget), and when each product was first seen (no sales are known before that). A forecast then
 * reads at most one row per day of its window instead of every movement.
 *
 * Decreases are split by who made them (Shoptet's `changedBy`): `customer` (storefront orders),
 * `admin`, `api` (`api.service-…@…`, REST API integrations), `email` (any other e-mail) and `none`
 * (null). Which of them count as sales is decided when reading (`forecast.salesBy`), so changing
 * that setting needs no rebuild. Amounts are integer thousandths, like the movement log.
 */
export const m0006: Migration = {
  version: 6,
  name: "forecast",
  sql: `
CREATE TABLE forecast_daily (
  eshop_id       INTEGER NOT NULL,
  code           TEXT    NOT NULL,
  day            INTEGER NOT NULL,            -- UTC day number: change_time / 86400000
  out_customer   INTEGER NOT NULL DEFAULT 0,  -- decreases by changedBy = 'customer' (thousandths, positive)
  out_admin      INTEGER NOT NULL DEFAULT 0,  -- changedBy = 'admin'
  out_api        INTEGER NOT NULL DEFAULT 0,  -- changedBy = 'api.service-…'
  out_email      INTEGER NOT NULL DEFAULT 0,  -- changedBy = any other e-mail
  out_none       INTEGER NOT NULL DEFAULT 0,  -- changedBy null
  in_milli       INTEGER NOT NULL DEFAULT 0,  -- increases (restocks, returns, corrections up)
  PRIMARY KEY (eshop_id, code, day)
) WITHOUT ROWID;

CREATE TABLE forecast_seen (
  eshop_id    INTEGER NOT NULL,
  code        TEXT    NOT NULL,
  first_seen  INTEGER NOT NULL,               -- epoch ms of the earliest movement or state we have
  PRIMARY KEY (eshop_id, code)
) WITHOUT ROWID;

CREATE TRIGGER forecast_daily_on_movement AFTER INSERT ON stock_movements
WHEN NEW.amount_change_milli IS NOT NULL AND NEW.amount_change_milli <> 0
BEGIN
  INSERT INTO forecast_daily (eshop_id, code, day, out_customer, out_admin, out_api, out_email, out_none, in_milli)
  VALUES (
    NEW.eshop_id, NEW.code, NEW.change_time / 86400000,
    CASE WHEN NEW.amount_change_milli < 0 AND NEW.changed_by = 'customer' THEN -NEW.amount_change_milli ELSE 0 END,
    CASE WHEN NEW.amount_change_milli < 0 AND NEW.changed_by = 'admin' THEN -NEW.amount_change_milli ELSE 0 END,
    CASE WHEN NEW.amount_change_milli < 0 AND NEW.changed_by LIKE 'api.service-%' THEN -NEW.amount_change_milli ELSE 0 END,
    CASE WHEN NEW.amount_change_milli < 0 AND NEW.changed_by NOT IN ('customer', 'admin')
              AND NEW.changed_by NOT LIKE 'api.service-%' THEN -NEW.amount_change_milli ELSE 0 END,
    CASE WHEN NEW.amount_change_milli < 0 AND NEW.changed_by IS NULL THEN -NEW.amount_change_milli ELSE 0 END,
    CASE WHEN NEW.amount_change_milli > 0 THEN NEW.amount_change_milli ELSE 0 END
  )
  ON CONFLICT (eshop_id, code, day) DO UPDATE SET
    out_customer = out_customer + excluded.out_customer, out_admin = out_admin + excluded.out_admin,
    out_api = out_api + excluded.out_api, out_email = out_email + excluded.out_email,
    out_none = out_none + excluded.out_none, in_milli = in_milli + excluded.in_milli;
END;

CREATE TRIGGER forecast_seen_on_movement AFTER INSERT ON stock_movements
BEGIN
  INSERT INTO forecast_seen (eshop_id, code, first_seen) VALUES (NEW.eshop_id, NEW.code, NEW.change_time)
  ON CONFLICT (eshop_id, code) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)
  WHERE excluded.first_seen < first_seen;
END;

CREATE TRIGGER forecast_seen_on_product AFTER INSERT ON stock_products
BEGIN
  INSERT INTO forecast_seen (eshop_id, code, first_seen) VALUES (NEW.eshop_id, NEW.code, NEW.updated_at)
  ON CONFLICT (eshop_id, code) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)
  WHERE excluded.first_seen < first_seen;
END;

-- Movements stored before this migration: summarised once, the same way the trigger does it.
INSERT INTO forecast_daily (eshop_id, code, day, out_customer, out_admin, out_api, out_email, out_none, in_milli)
SELECT eshop_id, code, change_time / 86400000,
       sum(CASE WHEN amount_change_milli < 0 AND changed_by = 'customer' THEN -amount_change_milli ELSE 0 END),
       sum(CASE WHEN amount_change_milli < 0 AND changed_by = 'admin' THEN -amount_change_milli ELSE 0 END),
       sum(CASE WHEN amount_change_milli < 0 AND changed_by LIKE 'api.service-%' THEN -amount_change_milli ELSE 0 END),
       sum(CASE WHEN amount_change_milli < 0 AND changed_by NOT IN ('customer', 'admin')
                     AND changed_by NOT LIKE 'api.service-%' THEN -amount_change_milli ELSE 0 END),
       sum(CASE WHEN amount_change_milli < 0 AND changed_by IS NULL THEN -amount_change_milli ELSE 0 END),
       sum(CASE WHEN amount_change_milli > 0 THEN amount_change_milli ELSE 0 END)
  FROM stock_movements
 WHERE amount_change_milli IS NOT NULL AND amount_change_milli <> 0
 GROUP BY eshop_id, code, change_time / 86400000;

INSERT INTO forecast_seen (eshop_id, code, first_seen)
SELECT eshop_id, code, min(t) FROM (
  SELECT eshop_id, code, min(change_time) AS t FROM stock_movements GROUP BY eshop_id, code
  UNION ALL SELECT eshop_id, code, min(at) FROM stock_level_changes GROUP BY eshop_id, code
  UNION ALL SELECT eshop_id, code, level_since FROM stock_products
) GROUP BY eshop_id, code;
`,
};
