import { describe, expect, it } from "vitest";
import { senderDomain, stableMessageId } from "../../../src/notifiers/email-notifier.js";

describe("stableMessageId", () => {
  it("is the same for the same outbox row and differs between rows or databases", () => {
    const a = stableMessageId({ id: 12, key: "rule:sold-out:KAV-1" }, "shop.cz");
    expect(a).toMatch(/^<stockwatch\.12\.[0-9a-f]{16}@shop\.cz>$/);
    expect(stableMessageId({ id: 12, key: "rule:sold-out:KAV-1" }, "shop.cz")).toBe(a);
    expect(stableMessageId({ id: 13, key: "rule:sold-out:KAV-1" }, "shop.cz")).not.toBe(a);
    // A reused id in a fresh database carries a different key.
    expect(stableMessageId({ id: 12, key: "rule:low:KAV-2" }, "shop.cz")).not.toBe(a);
  });

  it("takes the domain from MAIL_FROM", () => {
    expect(senderDomain("Shop <Alerts@Shop.CZ>")).toBe("shop.cz");
    expect(senderDomain("stockwatch@localhost")).toBe("localhost");
    expect(senderDomain("nobody")).toBe("stockwatch.localhost");
  });
});
