import type { StandinProduct } from "../../test/helpers/shoptet-standin.js";

/** The simulated shop of the demo: one e-shop, two warehouses, a few products, one busy day. */
export const DEMO_ESHOP = 222651;

export const DEMO_WAREHOUSES: readonly { id: number; title: string }[] = [
  { id: 1, title: "Main warehouse" },
  { id: 2, title: "Shop floor" },
];

export const DEMO_PRODUCTS: readonly StandinProduct[] = [
  { guid: "g-kav-1", name: "Colombia Supremo 250 g", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 24 } }] },
  { guid: "g-kav-2", name: "Ethiopia Yirgacheffe 250 g", variants: [{ code: "KAV-2", minStockSupply: 5, amounts: { 1: 30 } }] },
  { guid: "g-tea-1", name: "Earl Grey 100 g", variants: [{ code: "TEA-1", minStockSupply: 10, amounts: { 1: 8, 2: 6 } }] },
  { guid: "g-mug-1", name: "Enamel mug", variants: [{ code: "MUG-1", minStockSupply: 3, amounts: { 1: 5 } }] },
  { guid: "g-bil", name: "White tea", variants: [{ code: "26/BIL", name: "50 g", minStockSupply: null, amounts: { 2: 3 } }] },
];

/** A change of stock in one warehouse; `by` is Shoptet's changedBy (customer = a storefront order). */
export interface DemoMove {
  stock: number;
  code: string;
  change: number;
  by?: string;
}

/** One moment of the day: what happens in the shop, and the webhooks Shoptet sends for it. */
export interface DemoStep {
  /** Minutes after the shop opens. */
  minute: number;
  story: string;
  moves: readonly DemoMove[];
  /** Webhooks besides `stock:movement` (sent once per warehouse that moved). */
  events: readonly { event: string; instance: string }[];
}

export const DEMO_DAY: readonly DemoStep[] = [
  {
    minute: 40,
    story: "Order 2026000101: 3× Colombia Supremo, 2× Earl Grey",
    moves: [
      { stock: 1, code: "KAV-1", change: -3, by: "customer" },
      { stock: 1, code: "TEA-1", change: -2, by: "customer" },
    ],
    events: [{ event: "order:create", instance: "2026000101" }],
  },
  {
    minute: 95,
    story: "Order 2026000102: 2× Colombia Supremo, 2× Enamel mug",
    moves: [
      { stock: 1, code: "KAV-1", change: -2, by: "customer" },
      { stock: 1, code: "MUG-1", change: -2, by: "customer" },
    ],
    events: [{ event: "order:create", instance: "2026000102" }],
  },
  {
    minute: 140,
    story: "Order 2026000103: the last 3 enamel mugs",
    moves: [{ stock: 1, code: "MUG-1", change: -3, by: "customer" }],
    events: [
      { event: "order:create", instance: "2026000103" },
      // The beta fast-path event comes too; stockwatch confirms it through the API.
      { event: "stock:soldOut", instance: "MUG-1" },
    ],
  },
  {
    minute: 185,
    story: "Order 2026000102 is cancelled: its coffee and mugs go back on the shelf",
    moves: [
      { stock: 1, code: "KAV-1", change: 2, by: "admin" },
      { stock: 1, code: "MUG-1", change: 2, by: "admin" },
    ],
    events: [{ event: "order:cancel", instance: "2026000102" }],
  },
  {
    minute: 250,
    story: "Order 2026000104: all 3 White tea 50 g and 3 Earl Grey from the shop floor",
    moves: [
      { stock: 2, code: "26/BIL", change: -3, by: "customer" },
      { stock: 2, code: "TEA-1", change: -3, by: "customer" },
    ],
    events: [{ event: "order:create", instance: "2026000104" }],
  },
  {
    minute: 330,
    story: "Order 2026000105: a café buys 21 Colombia Supremo",
    moves: [{ stock: 1, code: "KAV-1", change: -21, by: "customer" }],
    events: [{ event: "order:create", instance: "2026000105" }],
  },
  {
    minute: 420,
    story: "A delivery arrives: 40 Colombia Supremo and 10 enamel mugs",
    moves: [
      { stock: 1, code: "KAV-1", change: 40, by: "admin" },
      { stock: 1, code: "MUG-1", change: 10, by: "admin" },
    ],
    events: [],
  },
  {
    minute: 480,
    story: "Order 2026000101 is cancelled: 3 coffee and 2 Earl Grey go back",
    moves: [
      { stock: 1, code: "KAV-1", change: 3, by: "admin" },
      { stock: 1, code: "TEA-1", change: 2, by: "admin" },
    ],
    events: [{ event: "order:cancel", instance: "2026000101" }],
  },
];

/** The shop opens at 08:00 (Europe/Prague) … */
export const DEMO_OPENING_HOUR = 8;
/** … and the day ends, and the digest goes out, this many minutes later (17:00). */
export const DEMO_DAY_END = 540;
