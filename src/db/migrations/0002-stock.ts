import type { Migration } from "../migrate.js";

/**
 * Stock state built from Shoptet: per-warehouse movement cursors, per-product state and amounts,
 * the movement log (each movement id once: its primary key is the idempotency key) and the history
 * of level changes. Amounts are integer thousandths (`*_milli`), times epoch ms.
 */
export const m0002: Migration = {
  version: 2,
  name: "stock",
  sql: `
CREATE TABLE stock_cursors (
  eshop_id     INTEGER NOT NULL,
  stock_id     INTEGER NOT NULL,
  last_id      INTEGER NOT NULL,        -- highest movement id applied; reads continue after it
  reads        INTEGER NOT NULL DEFAULT 0,
  last_read_at INTEGER,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (eshop_id, stock_id)
) WITHOUT ROWID;

CREATE TABLE stock_products (
  eshop_id        INTEGER NOT NULL,
  code            TEXT    NOT NULL,     -- product or variant code, may contain "/"
  guid            TEXT,                 -- the owning product's GUID, when known
  name            TEXT,
  quantity_milli  INTEGER NOT NULL,     -- total across warehouses
  quantity_time   INTEGER,              -- Shoptet time of the observation behind quantity
  min_milli       INTEGER,              -- minStockSupply; NULL = not set (or not read yet)
  min_checked_at  INTEGER,              -- when name/minStockSupply were read from the API; NULL = never
  level           TEXT    NOT NULL,     -- soldOut | low | ok
  level_since     INTEGER NOT NULL,
  estimated       INTEGER NOT NULL DEFAULT 0, -- 1: quantity inferred from a beta event, not read
  level_event_ms  INTEGER,              -- eventCreated of the newest beta event trusted (no-token mode)
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (eshop_id, code)
);
CREATE INDEX stock_products_by_level ON stock_products (level, eshop_id, code);
CREATE INDEX stock_products_by_guid ON stock_products (eshop_id, guid);

CREATE TABLE stock_amounts (
  eshop_id     INTEGER NOT NULL,
  code         TEXT    NOT NULL,
  stock_id     INTEGER NOT NULL,
  amount_milli INTEGER NOT NULL,
  changed_at   INTEGER,                 -- Shoptet time of the change behind amount
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (eshop_id, code, stock_id)
) WITHOUT ROWID;

CREATE TABLE stock_movements (
  eshop_id            INTEGER NOT NULL,
  stock_id            INTEGER NOT NULL,
  movement_id         INTEGER NOT NULL,
  code                TEXT    NOT NULL,
  amount_change_milli INTEGER,
  actual_amount_milli INTEGER,
  sum_amount_milli    INTEGER,
  changed_by          TEXT,
  change_time         INTEGER NOT NULL, -- Shoptet's changeTime, or when applied if it had none
  applied_at          INTEGER NOT NULL,
  PRIMARY KEY (eshop_id, stock_id, movement_id)
) WITHOUT ROWID;
CREATE INDEX stock_movements_by_time ON stock_movements (change_time, eshop_id);
CREATE INDEX stock_movements_by_code ON stock_movements (eshop_id, code, change_time);

CREATE TABLE stock_level_changes (
  id              INTEGER PRIMARY KEY,
  eshop_id        INTEGER NOT NULL,
  code            TEXT    NOT NULL,
  from_level      TEXT,                 -- NULL: first time seen
  to_level        TEXT    NOT NULL,
  from_quantity_milli INTEGER,
  quantity_milli  INTEGER NOT NULL,
  at              INTEGER NOT NULL,
  cause_event     TEXT    NOT NULL,     -- stock:movement, stock:soldOut, sync, ...
  cause_event_id  INTEGER
);
CREATE INDEX stock_level_changes_by_time ON stock_level_changes (at);
CREATE INDEX stock_level_changes_by_product ON stock_level_changes (eshop_id, code, at);

-- The stock worker looks up the newest beta event of a product, and the first webhook of a warehouse.
CREATE INDEX events_by_instance ON events (eshop_id, event_instance, event);
-- Claims check "is this subject running?"; retries look for the subject's pending row.
CREATE INDEX jobs_by_subject ON jobs (kind, eshop_id, subject, status);
`,
};
