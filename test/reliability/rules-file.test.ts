import { rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "./harness/daemon.js";
import { waitFor } from "./harness/db-check.js";
import { DEFAULT_RULES, ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS, secretsIn } from "./harness/secrets.js";
import { notification, shoptetTime, ShoptetSender } from "./harness/sender.js";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const TO_SLACK = DEFAULT_RULES.replace("notify: [managers]", "notify: [warehouse]");

describe("the rules file breaks or disappears while the daemon runs", () => {
  it(
    "a broken edit, an invalid one and a deleted file are refused and logged; the last good rules keep running; a valid edit takes over",
    async () => {
      rig = await startRig();
      const { daemon, smtp, slack, rulesPath } = rig;
      await daemon.start();
      const sender = new ShoptetSender(() => daemon.url);
      let n = 0;
      /** Cancels an order; the last good rules must turn it into a message. */
      const cancel = async () => {
        const instance = `RULES-${++n}`;
        expect(await sender.deliver(notification(instance, { eshopId: ESHOP, event: "order:cancel", eventCreated: shoptetTime(Date.now()), eventInstance: instance }, SECRETS.webhookKey))).toBe(true);
        return instance;
      };
      const mailed = (instance: string) => waitFor(`the email for ${instance}`, () => smtp.mails.some((m) => String(m.parsed.subject).includes(instance) || String(m.parsed.text).includes(instance)), 10_000);
      const refused = (pattern: RegExp) =>
        daemon.waitForLog((l) => l.text.includes("rules file edit refused; the previous rules keep running") && pattern.test(l.text), 10_000, { past: true });

      await mailed(await cancel());

      // 1. A YAML syntax error: refused with file:line:col, the old rules keep sending.
      writeFileSync(rulesPath, `${DEFAULT_RULES}\n  - name: [unclosed\n`);
      await refused(/rules\.yaml:\d+:\d+/);
      await mailed(await cancel());

      // 2. Valid YAML, invalid rules (a channel that does not exist).
      writeFileSync(rulesPath, DEFAULT_RULES.replace("notify: [managers]", "notify: [nobody]"));
      await refused(/nobody/);
      await mailed(await cancel());

      // 3. The file is deleted; SIGHUP asks for a reload anyway.
      rmSync(rulesPath);
      await refused(/file not found/);
      daemon.signal("SIGHUP");
      await daemon.waitForLog((l) => l.text.includes("SIGHUP: reloading the rules file"), 5_000, { past: true });
      await mailed(await cancel());
      expect(daemon.running).toBe(true);

      // 4. A valid new version: cancelled orders now go to Slack.
      writeFileSync(rulesPath, TO_SLACK);
      await daemon.waitForLog((l) => l.text.includes('"msg":"rules reloaded"'), 10_000);
      const instance = await cancel();
      await waitFor("the Slack message", () => slack.ok("chat.postMessage").some((c) => String(c.params.text).includes(instance)), 10_000);
      expect(smtp.mails.some((m) => String(m.parsed.subject).includes(instance))).toBe(false);
      sender.close();
      expect(await daemon.stop()).toBe(0);

      // 5. Restarting without a rules file is refused with one line naming the fix.
      rmSync(rulesPath);
      const { code, output } = await new Daemon({ env: rig.env }).runToExit(15_000);
      expect(code).toBe(1);
      expect(output).toMatch(/rules file .*rules\.yaml not found.*STOCKWATCH_RULES/);
      expect(secretsIn(daemon.text() + output)).toEqual([]);
    },
    60_000,
  );
});
