import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { LabelledCount } from "./metrics-store.js";

/** A counter the code increments. */
export function counter<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string = never>(
  registry: Registry,
  name: string,
  help: string,
  buckets: number[],
  labelNames: readonly L[] = [],
): Histogram<L> {
  return new Histogram({ name, help, buckets, labelNames, registers: [registry] });
}

/**
 * A counter kept elsewhere (another thread, the database) and read when Prometheus scrapes: it is
 * set to what `read` says (a restart of its keeper starts it from 0 again, as counters do).
 */
export function readCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge, or a counter kept elsewhere, with one series per labelled count read when Prometheus scrapes. */
export function readLabelled(
  registry: Registry,
  spec: { type: "gauge" | "counter"; name: string; help: string; labelNames: readonly string[] },
  read: () => LabelledCount[],
): void {
  const { type, ...config } = spec;
  const Type = type === "gauge" ? Gauge : Counter;
  new Type({
    ...config,
    registers: [registry],
    collect(this: Gauge | Counter) {
      this.reset();
      for (const r of read()) (this instanceof Gauge ? this.set(r.labels, r.n) : this.inc(r.labels, r.n));
    },
  });
}
