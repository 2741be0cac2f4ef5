import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

const HEAD = `timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
`;

/** A valid rules file of about `bytes` (the limit is 1 MiB): one stock rule per ~130 bytes. */
function bigRules(bytes: number): { text: string; rules: number } {
  let text = HEAD;
  let rules = 1;
  while (text.length < bytes) {
    text += `  - name: coffee-${rules}\n    when: { products: ["KAV-${rules}-*", "!KAV-${rules}-TEST*"], quantity: { below: ${(rules % 50) + 1} } }\n    notify: [warehouse]\n`;
    rules++;
  }
  return { text, rules };
}

/** Webhooks sent back to back from a few clients, as Shoptet does while the operator edits rules. */
function keepSending(url: string) {
  const answers: { status: number; phase: string }[] = [];
  let phase = "before";
  let stop = false;
  let n = 0;
  const client = async () => {
    while (!stop) {
      // A connection error counts as a failed delivery (status 0), as it would for Shoptet.
      const { status } = await postWebhook(url, envelope("order:create", `RELOAD-${++n}`)).catch(() => ({ status: 0 }));
      answers.push({ status, phase });
    }
  };
  const clients = [client(), client(), client()];
  const sender = {
    answers,
    setPhase: (p: string) => void (phase = p),
    async stop() {
      stop = true;
      await Promise.all(clients);
      return n;
    },
  };
  sending = sender;
  return sender;
}

let sending: { stop(): Promise<number> } | undefined;
afterEach(async () => {
  await sending?.stop();
  sending = undefined;
});

describe("rules reloads run on the engine thread, not on the thread that answers webhooks", () => {
  it("a 1 MB valid file and a 1 MB invalid one are loaded while webhooks keep getting 200; the status shows each outcome", async () => {
    const rulesPath = join(tempDir(), "rules.yaml");
    writeFileSync(rulesPath, HEAD);
    const { app, url } = await startTestApp({ STOCKWATCH_RULES: rulesPath });
    expect(app.rules.status().summary).toBe("1 channel, 1 rule, 0 digests");
    const sender = keepSending(url);
    await waitFor("a few webhooks", () => sender.answers.length >= 10, 60_000);

    // 1. A valid 1 MB file, then SIGHUP (the watcher sees the edit too).
    const big = bigRules(1_000_000);
    writeFileSync(rulesPath, big.text);
    sender.setPhase("loading the big file");
    app.reloadRules();
    // Before, the reload parsed the file right here, on this thread, for seconds: the new status was
    // in place when reloadRules() returned, and no webhook was answered meanwhile.
    expect(app.rules.status().summary).toBe("1 channel, 1 rule, 0 digests");
    await waitFor("the engine thread to load the big file", () => app.rules.status().summary === `1 channel, ${big.rules} rules, 0 digests`, 60_000);
    sender.setPhase("after");
    expect(sender.answers.filter((a) => a.phase === "loading the big file").length).toBeGreaterThan(0);
    expect(app.rules.status().ok).toBe(true);
    const dashboard = await (await fetch(`${url}/`)).text();
    expect(dashboard).toContain(`${big.rules} rules`);

    // 2. A 1 MB file that parses but is invalid (its last rule names a channel that does not exist).
    writeFileSync(rulesPath, `${bigRules(990_000).text}  - name: broken\n    when: { level: low }\n    notify: [nobody]\n`);
    sender.setPhase("loading the broken file");
    app.reloadRules();
    expect(app.rules.status().ok).toBe(true);
    await waitFor("the engine thread to refuse the broken file", () => !app.rules.status().ok, 60_000);
    sender.setPhase("after");
    expect(sender.answers.filter((a) => a.phase === "loading the broken file").length).toBeGreaterThan(0);
    const refused = app.rules.status();
    expect(refused.errors.join("\n")).toMatch(/nobody/);
    // The last good rules keep running.
    expect(refused.summary).toBe(`1 channel, ${big.rules} rules, 0 digests`);
    expect(await (await fetch(`${url}/`)).text()).toContain("nobody");

    // 3. A file over the size limit: refused without being read.
    writeFileSync(rulesPath, `${big.text}${"#".repeat(1_100_000)}\n`);
    app.reloadRules();
    await waitFor("the oversized file to be refused", () => app.rules.status().errors.some((e) => e.includes("a rules file may be at most")), 60_000);
    expect(app.rules.status().summary).toBe(`1 channel, ${big.rules} rules, 0 digests`);

    const sent = await sender.stop();
    expect(sender.answers.length).toBe(sent);
    expect(sender.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(app.db.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: sent });
  }, 120_000);
});
