import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadRulesFile, loadRulesText } from "../../../src/rules/load-rules.js";
import { RULE_DEFAULTS } from "../../../src/rules/rule-defaults.js";
import { formatRuleError, type LoadResult } from "../../../src/rules/rules-types.js";

const FIX = "test/fixtures/rules";

function errorsOf(result: LoadResult): string[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map((e) => formatRuleError(e));
}

describe("the core example of product.md", () => {
  it("loads exactly as written, with defaults filled in", () => {
    const result = loadRulesFile(`${FIX}/core.yaml`);
    if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join("\n"));
    const r = result.rules;
    expect(r.timezone).toBe("Europe/Prague");
    expect([...r.channels.keys()]).toEqual(["warehouse", "managers"]);
    expect(r.channel("warehouse")!.destination).toEqual({ type: "slack", channel: "#warehouse" });
    expect(r.channel("managers")!.destination).toEqual({ type: "email", to: ["manager@example.com"] });
    expect(r.rules.map((x) => [x.name, x.kind, x.severity])).toEqual([
      ["sold-out", "stock", "critical"],
      ["coffee-running-low", "stock", "warning"],
      ["order-cancelled", "event", "warning"],
    ]);
    const low = r.rule("coffee-running-low")!;
    if (low.kind !== "stock") throw new Error("stock rule expected");
    expect(low.repeatMs).toBe(12 * 3_600_000);
    expect(low.when.quantity).toEqual({ below: 20_000, atOrBelow: null, above: null });
    expect(low.when.products!.test("KAV-1")).toBe(true);
    expect(low.when.products!.test("CAJ-1")).toBe(false);
    expect(low.groupMs).toBe(RULE_DEFAULTS.groupMs);
    expect(r.eventRulesFor("order:cancel").map((x) => x.name)).toEqual(["order-cancelled"]);
    expect(r.eventRulesFor("order:create")).toEqual([]);
    expect(r.digests).toEqual([
      expect.objectContaining({ name: "morning", schedule: "0 7 * * 1-5", notify: ["managers"], skipEmpty: false }),
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("config/rules.yaml (what the daemon loads by default) is valid and contains the core example", () => {
    const result = loadRulesFile("config/rules.yaml");
    if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join("\n"));
    expect(result.rules.rules.map((r) => r.name)).toEqual(["sold-out", "coffee-running-low", "order-cancelled"]);
    expect(result.rules.digests.map((d) => d.name)).toEqual(["morning"]);
    expect(result.rules.channel("warehouse")!.destination).toEqual({ type: "slack", channel: "#warehouse" });
    expect(result.rules.channel("managers")!.destination.type).toBe("email");
    const text = readFileSync("config/rules.yaml", "utf8");
    for (const line of ["level: soldOut", 'products: ["KAV-*"]', "quantity: { below: 20 }", "event: order:cancel", 'schedule: "0 7 * * 1-5"']) {
      expect(text).toContain(line);
    }
  });
});

describe("one fixture per kind of mistake: exact message, line and column", () => {
  const cases: [string, string[]][] = [
    ["unknown-channel", [`${FIX}/unknown-channel.yaml:12:14: rules[0].notify[0]: unknown channel "warehose" (defined: warehouse, managers); did you mean "warehouse"?`]],
    ["unknown-key", [`${FIX}/unknown-key.yaml:13:5: rules[0].severty: unknown key "severty" (did you mean "severity"?); allowed here: name, description, when, notify, severity, repeat, resolve, clearAbove, clearBelow, group, cooldown, suppressWhenSoldOut`]],
    ["bad-duration", [`${FIX}/bad-duration.yaml:14:13: rules[0].repeat: "12 hours" is not a duration; write a number and a unit: 30s, 5m, 12h, 7d`]],
    ["bad-cron", [`${FIX}/bad-cron.yaml:11:15: digests[0].schedule: "0 25 * * 1-5" is not a valid cron expression (25 is a invalid expression for hour); e.g. "0 7 * * 1-5" is 07:00 on weekdays`]],
    ["bad-glob", [`${FIX}/bad-glob.yaml:11:18: rules[0].when.products[0]: pattern "KAV-[12" has "[" without a closing "]"; close the set, or write "\\[" for a literal bracket`]],
    ["duplicate-rule", [`${FIX}/duplicate-rule.yaml:12:11: rules[1].name: duplicate rule name "sold-out" (first used on line 9); rule names must be unique`]],
    ["bad-timezone", [`${FIX}/bad-timezone.yaml:1:11: timezone: unknown timezone "Europe/Prag"; use an IANA name such as Europe/Prague or UTC`]],
    ["bad-level", [`${FIX}/bad-level.yaml:11:14: rules[0].when.level: expected one of soldOut, low, ok, got "soldout" (did you mean "soldOut"?)`]],
    ["bad-severity", [`${FIX}/bad-severity.yaml:12:15: rules[0].severity: expected one of info, warning, critical, got "high"`]],
    ["yaml-syntax", [`${FIX}/yaml-syntax.yaml:13:3: Flow sequence in block collection must be sufficiently indented and end with a ]; check the indentation and closing brackets`]],
    ["duplicate-key", [`${FIX}/duplicate-key.yaml:13:5: "notify" appears twice in the same map; remove or rename one`]],
    ["condition-outside-when", [`${FIX}/condition-outside-when.yaml:10:5: rules[0].products: "products" is a condition: move it under "when:"`]],
    ["event-with-stock-condition", [`${FIX}/event-with-stock-condition.yaml:12:7: rules[0].when.products: "products" is a stock condition and cannot be combined with "event"; to filter event instances use "instances"; or split this into two rules`]],
    ["missing-notify", [`${FIX}/missing-notify.yaml:9:5: rules[0].notify: missing "notify"; add "notify: [<channel>]" naming a channel from "channels:"`]],
    ["bad-quiet-hours", [
      `${FIX}/bad-quiet-hours.yaml:5:38: channels.warehouse.quietHours.to: "6:00" is not a time; write 24-hour "HH:MM" in quotes, e.g. "06:00"`,
      `${FIX}/bad-quiet-hours.yaml:5:58: channels.warehouse.quietHours.days[1]: expected a weekday: mon, tue, wed, thu, fri, sat, sun, got "tues" (did you mean "tue"?)`,
    ]],
    ["unknown-channel-type", [`${FIX}/unknown-channel-type.yaml:3:11: channels.warehouse.type: unknown type "teams"; use "slack" or "email"`]],
    ["cooldown-on-stock-rule", [`${FIX}/cooldown-on-stock-rule.yaml:13:5: rules[0].cooldown: "cooldown" applies to event rules; for stock rules use "repeat" (reminders) or "clearAbove" (hysteresis)`]],
    ["stock-rule-without-condition", [`${FIX}/stock-rule-without-condition.yaml:11:7: rules[0].when: a stock rule needs "level" or "quantity" (or "event" for an event rule), e.g. level: soldOut`]],
    ["bad-clear-above", [`${FIX}/bad-clear-above.yaml:13:17: rules[0].clearAbove: 10 is below the threshold (20); clearAbove must be at or above it so the alert can close`]],
    ["bad-email", [`${FIX}/bad-email.yaml:4:10: channels.managers.to[0]: "manager.example.com" is not an e-mail address`]],
    ["alias-bomb", [`${FIX}/alias-bomb.yaml:1:1: Excessive alias count indicates a resource exhaustion attack; use fewer YAML aliases (*name) — at most 100 expansions`]],
    ["empty", [`${FIX}/empty.yaml:1:1: the file is empty; start from config/rules.yaml (it needs "channels:" and "rules:")`]],
  ];
  it.each(cases)("%s", (name, expected) => {
    expect(errorsOf(loadRulesFile(`${FIX}/${name}.yaml`))).toEqual(expected);
  });

  it("collects every error of a file in one run, in file order", () => {
    expect(errorsOf(loadRulesFile(`${FIX}/many-mistakes.yaml`))).toEqual([
      `${FIX}/many-mistakes.yaml:8:11: timezone: unknown timezone "Mars/Olympus"; use an IANA name such as Europe/Prague or UTC`,
      `${FIX}/many-mistakes.yaml:11:20: rules[0].when.level: expected one of soldOut, low, ok, got "soldout" (did you mean "soldOut"?)`,
      `${FIX}/many-mistakes.yaml:12:14: rules[0].notify[0]: unknown channel "warehose" (defined: warehouse, managers); did you mean "warehouse"?`,
      `${FIX}/many-mistakes.yaml:13:11: rules[1].name: duplicate rule name "sold-out" (first used on line 10); rule names must be unique`,
      `${FIX}/many-mistakes.yaml:16:13: rules[1].repeat: "often" is not a duration; write a number and a unit: 30s, 5m, 12h, 7d`,
      `${FIX}/many-mistakes.yaml:19:15: digests[0].schedule: "every day" is not a valid cron expression (expected 5 or 6 fields but got 2); e.g. "0 7 * * 1-5" is 07:00 on weekdays`,
      `${FIX}/many-mistakes.yaml:20:14: digests[0].notify[0]: unknown channel "boss" (defined: warehouse, managers); add it under "channels:" or use a defined one`,
    ]);
  });

  it("names a missing file and how to fix it", () => {
    expect(errorsOf(loadRulesFile(`${FIX}/no-such-file.yaml`))).toEqual([
      `${FIX}/no-such-file.yaml:1:1: cannot read the rules file (file not found); create it (see config/rules.yaml) or set STOCKWATCH_RULES`,
    ]);
  });
});

const CHANNELS = `channels:\n  w: {type: slack, channel: "#w"}\n`;

describe("extensions and cross-checks", () => {
  it("accepts a single channel name, glob exclusions, per-warehouse quantities, hysteresis and event options", () => {
    const result = loadRulesText(
      `${CHANNELS}rules:
  - name: coffee
    when: { products: ["KAV-*", "!KAV-TEST*"], stocks: [1, "3"], quantity: { atOrBelow: 2 } }
    notify: w
    clearAbove: 5
    group: 0s
    resolve: false
    suppressWhenSoldOut: false
  - name: orders
    when: { event: ["order:*", "!order:update"], instances: ["2025*"], eshops: 222651 }
    notify: [w]
    cooldown: 1h
`,
      "inline.yaml",
    );
    if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join("\n"));
    const [coffee, orders] = result.rules.rules;
    if (coffee?.kind !== "stock" || orders?.kind !== "event") throw new Error("kinds");
    expect(coffee.notify).toEqual(["w"]);
    expect(coffee.when.stocks).toEqual(["1", "3"]);
    expect(coffee.when.products!.test("KAV-1")).toBe(true);
    expect(coffee.when.products!.test("KAV-TEST-1")).toBe(false);
    expect(coffee.clearAboveMilli).toBe(5000);
    expect(coffee.groupMs).toBe(0);
    expect(coffee.resolve).toBe(false);
    expect(coffee.suppressWhenSoldOut).toBe(false);
    expect(orders.cooldownMs).toBe(3_600_000);
    expect(result.rules.eventRulesFor("order:create").map((r) => r.name)).toEqual(["orders"]);
    expect(result.rules.eventRulesFor("order:update")).toEqual([]);
    expect(orders.when.eshops!.has(222651)).toBe(true);
  });

  it("warns, without failing, about an event type Shoptet does not list", () => {
    const result = loadRulesText(`${CHANNELS}rules:\n  - name: x\n    when: { event: order:cancelled }\n    notify: [w]\n`, "f.yaml");
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => formatRuleError(w))).toEqual([
      `f.yaml:5:20: rules[0].when.event: event type "order:cancelled" is not in Shoptet's list (did you mean "order:cancel"?); this rule matches only if Shoptet sends exactly that type`,
    ]);
  });

  it.each([
    ["quantity: { below: 5, atOrBelow: 5 }", 'use either "below" or "atOrBelow", not both'],
    ["quantity: { above: 10, below: 5 }", "never true: above (10) must be less than below (5)"],
    ['stocks: [1], level: low', '"stocks" applies the quantity condition per warehouse; add "quantity", e.g. quantity: {below: 5}'],
    ['level: low, instances: ["x"]', '"instances" filters event rules; add "event:" or, for product codes, use "products"'],
  ])("rejects a contradictory condition: %s", (when, message) => {
    const result = loadRulesText(`${CHANNELS}rules:\n  - name: x\n    when: { ${when} }\n    notify: [w]\n`, "f.yaml");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.message)).toEqual([message]);
  });

  it("rejects clearAbove on a high-stock rule and event-only / stock-only options in the wrong place", () => {
    const result = loadRulesText(
      `${CHANNELS}rules:
  - name: overstock
    when: { quantity: { above: 100 } }
    notify: [w]
    clearAbove: 120
  - name: ev
    when: { event: order:create }
    notify: [w]
    repeat: 1h
`,
      "f.yaml",
    );
    expect(errorsOf(result)).toEqual([
      `f.yaml:7:5: rules[0].clearAbove: "clearAbove" keeps a low-stock alert open until the quantity rises above it; this rule watches high stock, use "clearBelow"`,
      `f.yaml:11:5: rules[1].repeat: "repeat" applies to stock rules; an event rule sends one message per matching event (use "cooldown" to limit them)`,
    ]);
  });

  it("rejects names that would break group keys, and reminders more often than a minute", () => {
    const result = loadRulesText(`${CHANNELS}rules:\n  - name: "sold out"\n    when: { level: soldOut }\n    notify: [w]\n    repeat: 10s\n`, "f.yaml");
    expect(errorsOf(result)).toEqual([
      `f.yaml:4:11: rules[0].name: rule name "sold out" may use only letters, digits, "-", "_" and "." (no spaces or ":")`,
      `f.yaml:7:13: rules[0].repeat: 10s is too often; remind at most every 1m (e.g. 1h, 12h)`,
    ]);
  });

  it("gives each rule a checksum of its condition only", () => {
    const load = (extra: string, when = "level: soldOut") => {
      const r = loadRulesText(`${CHANNELS}rules:\n  - name: x\n    when: { ${when} }\n    notify: [w]\n${extra}`, "f.yaml");
      if (!r.ok) throw new Error("invalid");
      return r.rules.rules[0]!.checksum;
    };
    const base = load("");
    expect(load("    severity: critical\n    repeat: 1h\n    group: 1m\n")).toBe(base);
    expect(load("", "level: low")).not.toBe(base);
    expect(load("    clearAbove: 3\n")).not.toBe(base);
  });
});
