import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

const PATHOLOGICAL = `timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: pathological
    when:
      level: soldOut
      products: ["*a*a*a*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*a*a*c"]
    notify: [warehouse]
`;

describe("a rules file that would backtrack catastrophically", () => {
  it("does not hold webhooks back: every one is answered 200 while the engine evaluates 40-character codes", async () => {
    const dir = tempDir();
    const rulesPath = join(dir, "rules.yaml");
    writeFileSync(rulesPath, PATHOLOGICAL);
    const { url, dbPath, app } = await startTestApp({ STOCKWATCH_RULES: rulesPath });
    // Each sold-out code is evaluated against the globs inside the engine's write transaction. With
    // globs compiled to RegExps one evaluation took seconds, the batches behind it waited for the
    // lock past their 2 s limit, and Shoptet got 503s (and the operator a false storage alarm).
    const codes = Array.from({ length: 25 }, (_, i) => `${"a".repeat(38)}${String(i).padStart(2, "0")}`);
    const statuses: number[] = [];
    for (const code of codes) {
      statuses.push((await postWebhook(url, envelope("stock:soldOut", code))).status);
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    expect(statuses).toEqual(codes.map(() => 200));
    await app.engine.runUntilIdle();
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM stock_products WHERE level = 'soldOut'").get()).toEqual({ n: 25 });
      expect(db.prepare("SELECT count(*) AS n FROM alerts").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
