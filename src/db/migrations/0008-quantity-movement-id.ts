import type { Migration } from "../migrate.js";

/**
 * Which movement set a product's total: two movements of one product in different warehouses
 * within the same second have the same changeTime, and when their warehouses are read in the
 * other order the older total used to win. The movement id breaks the tie (see applyMovement).
 */
export const m0008: Migration = {
  version: 8,
  name: "movement id behind each product total",
  sql: `ALTER TABLE stock_products ADD COLUMN quantity_movement_id INTEGER;`,
};
