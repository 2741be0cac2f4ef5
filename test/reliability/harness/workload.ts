import type { ShoptetStandin } from "../../helpers/shoptet-standin.js";
import { ESHOP } from "./rig.js";
import { notification, shoptetTime, type Envelope, type Notification } from "./sender.js";

/** A seeded pseudo-random source (mulberry32), so a failing run can be replayed with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadOptions {
  key: string;
  random: () => number;
  /** Warehouses that get movements. */
  stocks?: number;
  /** Products moved by ±1 (plenty of stock: they never sell out). */
  steadyProducts?: number;
  /** Products that sell out once (each is an alert that must reach Slack). */
  sellOuts?: number;
  /** One notification in this many sells out the next product (until all are sold out). */
  sellOutEvery?: number;
  /** One notification in this many is an order:cancel (each is an email that must arrive). */
  cancelEvery?: number;
  /** Share of stock events (movements and beta events) among all notifications. */
  stockShare?: number;
  /** Distinguishes instances between workloads sharing a database. */
  prefix?: string;
}

const OTHER_EVENTS = ["order:create", "order:update", "order:paid", "invoice:create", "customer:create", "shipment:create", "brand:update"];

/**
 * Workload makes unique, signed Shoptet notifications of mixed types and, for stock events, makes
 * the matching change in the Shoptet stand-in first (as Shoptet would: the movement exists before
 * the webhook about it). It remembers what must come out the other end: every cancelled order
 * (one email each) and every product it sold out (one Slack alert each).
 */
export class Workload {
  readonly cancelled: string[] = [];
  readonly soldOut: string[] = [];
  readonly steadyCodes: string[] = [];
  readonly sellOutCodes: string[] = [];
  /** Warehouse ids that get movements. */
  readonly stocks: number[] = [];
  produced = 0;
  private readonly o: Required<Omit<WorkloadOptions, "key" | "random">>;

  constructor(
    private readonly shoptet: ShoptetStandin,
    private readonly options: WorkloadOptions,
  ) {
    this.o = {
      stocks: options.stocks ?? 4,
      steadyProducts: options.steadyProducts ?? 8,
      sellOuts: options.sellOuts ?? 6,
      sellOutEvery: options.sellOutEvery ?? 700,
      cancelEvery: options.cancelEvery ?? 60,
      stockShare: options.stockShare ?? 0.3,
      prefix: options.prefix ?? "w",
    };
    for (let s = 1; s <= this.o.stocks; s++) {
      shoptet.addStock(s);
      this.stocks.push(s);
    }
    for (let i = 0; i < this.o.steadyProducts; i++) {
      const code = `${this.o.prefix.toUpperCase()}-STEADY-${i}`;
      const amounts: Record<number, number> = {};
      for (let s = 1; s <= this.o.stocks; s++) amounts[s] = 100_000;
      shoptet.addProduct({ guid: `g-${code}`, name: `Steady ${i}`, variants: [{ code, minStockSupply: 10, amounts }] });
      this.steadyCodes.push(code);
    }
    for (let i = 0; i < this.o.sellOuts; i++) {
      const code = `${this.o.prefix.toUpperCase()}-SELL-${i}`;
      shoptet.addProduct({ guid: `g-${code}`, name: `Selling out ${i}`, variants: [{ code, minStockSupply: 1, amounts: { 1: 3 } }] });
      this.sellOutCodes.push(code);
    }
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.options.random() * list.length)]!;
  }

  private make(envelope: Omit<Envelope, "eshopId" | "eventCreated">): Notification {
    const n = this.produced++;
    const full: Envelope = { eshopId: ESHOP, eventCreated: shoptetTime(Date.now()), ...envelope };
    return notification(`${this.o.prefix}#${n}`, full, this.options.key);
  }

  /** The next notification (after changing the stand-in for stock events). */
  next(): Notification {
    const n = this.produced + 1;
    const r = this.options.random;
    if (n % this.o.sellOutEvery === 0 && this.soldOut.length < this.sellOutCodes.length) {
      const code = this.sellOutCodes[this.soldOut.length]!;
      this.shoptet.move(1, code, -this.shoptet.quantityOf(code));
      this.soldOut.push(code);
      return this.make({ event: "stock:movement", eventInstance: "1" });
    }
    if (n % this.o.cancelEvery === 0) {
      const instance = `${this.o.prefix.toUpperCase()}-CANCEL-${n}`;
      this.cancelled.push(instance);
      return this.make({ event: "order:cancel", eventInstance: instance });
    }
    if (r() < this.o.stockShare) {
      const roll = r();
      if (roll < 0.75) {
        const stock = 1 + Math.floor(r() * this.o.stocks);
        const code = this.pick(this.steadyCodes);
        this.shoptet.move(stock, code, r() < 0.5 ? -1 : 1);
        return this.make({ event: "stock:movement", eventInstance: String(stock) });
      }
      if (roll < 0.9) {
        // Beta events name a product code; the worker confirms the level through the API.
        return this.make({ event: this.pick(["stock:inStock", "stock:minStockSupplyReached"]), eventInstance: this.pick(this.steadyCodes) });
      }
      return this.make({ event: "product:update", eventInstance: `g-${this.pick(this.steadyCodes)}` });
    }
    if (r() < 0.03) return this.make({ event: "custom:somethingNew", eventInstance: `X-${n}` });
    return this.make({ event: this.pick(OTHER_EVENTS), eventInstance: `${this.o.prefix.toUpperCase()}-${n}` });
  }
}
