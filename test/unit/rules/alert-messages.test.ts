import { describe, expect, it } from "vitest";
import { buildAlertMessages } from "../../../src/rules/alert-messages.js";
import type { AlertSubject } from "../../../src/outbox/outbox-types.js";
import { makeRules } from "../../helpers/make-rules.js";

const subject: AlertSubject = { eshopId: 1, code: "KAV-1", name: "Colombia 250 g", quantity: 0, minStockSupply: 5, level: "soldOut" };
const header = `timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
  managers:
    type: email
    to: [manager@example.com]
    quietHours: { from: "22:00", to: "06:00" }
`;
const rules = makeRules(
  `  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse, managers]
    severity: critical
  - name: instant
    when: { level: low }
    notify: [warehouse, managers]
    group: 0s
`,
  header,
);
const at = Date.parse("2025-01-15T12:00:00Z");
const night = Date.parse("2025-01-15T22:00:00Z"); // 23:00 in Prague

describe("buildAlertMessages", () => {
  it("one row per channel, held for the group window, grouped by rule, channel and transition", () => {
    const messages = buildAlertMessages({ rules, rule: rules.rule("sold-out")!, transition: "open", alertId: 42, subject, now: at });
    expect(messages).toEqual([
      {
        dedupeKey: "alert:42:open:warehouse",
        channel: "warehouse",
        destination: { type: "slack", channel: "#warehouse" },
        body: {
          kind: "alert",
          rule: "sold-out",
          severity: "critical",
          transition: "open",
          alertId: 42,
          subject,
          summary: "Sold out: KAV-1 Colombia 250 g (0 left, minimum 5)",
        },
        notBefore: at + 30_000,
        groupKey: "sold-out:warehouse:open",
        incidentKey: "alert:42",
      },
      expect.objectContaining({ dedupeKey: "alert:42:open:managers", notBefore: at + 30_000, groupKey: "sold-out:managers:open" }),
    ]);
  });

  it("quiet hours hold a channel's messages until they end, grouped so they go out together", () => {
    const messages = buildAlertMessages({ rules, rule: rules.rule("instant")!, transition: "open", alertId: 1, subject, now: night });
    const [slack, mail] = messages;
    expect(slack).toMatchObject({ channel: "warehouse", notBefore: night });
    expect(slack!.groupKey).toBeUndefined();
    expect(mail).toMatchObject({ channel: "managers", notBefore: Date.parse("2025-01-16T05:00:00Z"), groupKey: "instant:managers:open" });
  });

  it("reminders and resolves have their own dedupe keys and words, and keep the incident", () => {
    const remind = buildAlertMessages({ rules, rule: rules.rule("sold-out")!, transition: "remind", reminder: 2, alertId: 42, subject, now: at });
    expect(remind[0]).toMatchObject({ dedupeKey: "alert:42:remind:2:warehouse", incidentKey: "alert:42", body: { summary: "Still — Sold out: KAV-1 Colombia 250 g (0 left, minimum 5)" } });
    const resolve = buildAlertMessages({ rules, rule: rules.rule("sold-out")!, transition: "resolve", alertId: 42, subject: { ...subject, quantity: 12, level: "ok" }, now: at });
    expect(resolve[0]).toMatchObject({ dedupeKey: "alert:42:resolve:warehouse", groupKey: "sold-out:warehouse:resolve", body: { summary: "Resolved — Sold out: KAV-1 Colombia 250 g (now 12 left)" } });
  });
});
