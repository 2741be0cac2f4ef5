import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "./harness/daemon.js";
import { inspectDb, unfinished, waitFor } from "./harness/db-check.js";
import { ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS, secretsIn, storedText } from "./harness/secrets.js";
import { notification, shoptetTime, ShoptetSender, type Notification } from "./harness/sender.js";
import { canMountSmallFs, canSetImmutable, mountSmallFs, setImmutable, type SmallFs } from "./harness/small-fs.js";

/**
 * The database's disk fills up or turns read-only under the running daemon. Webhooks must get
 * 503 (Shoptet retries), never a 200 for something not stored; the daemon must stay up, say what
 * is wrong, and recover by itself when the disk is usable again.
 *
 * Both need root (a tmpfs mount; chattr +i); where that is not allowed they are skipped.
 */
let rig: Rig | undefined;
let fs: SmallFs | undefined;
let immutable: string[] = [];
afterEach(async () => {
  if (immutable.length) setImmutable(immutable, false);
  immutable = [];
  await rig?.close();
  fs?.unmount();
  rig = fs = undefined;
});

let seq = 0;
function order(event: string, pad = 0): Notification {
  const instance = `STORAGE-${++seq}`;
  return notification(
    instance,
    { eshopId: ESHOP, event, eventCreated: shoptetTime(Date.now()), eventInstance: instance, ...(pad ? { payload: { note: "x".repeat(pad) } } : {}) },
    SECRETS.webhookKey,
  );
}

async function health(daemon: Daemon): Promise<{ status: number; text: string }> {
  const res = await fetch(`${daemon.url}/healthz`);
  return { status: res.status, text: await res.text() };
}

/** Sends until every notification got its 200 (Shoptet's retries, compressed in time). */
async function resendAll(sender: ShoptetSender, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    "every refused webhook to be accepted on retry",
    async () => {
      for (const n of sender.takeFailed()) await sender.deliver(n);
      return sender.failed.length === 0;
    },
    { timeoutMs, everyMs: 200 },
  );
}

describe("the disk fills up", () => {
  it.skipIf(!canMountSmallFs())(
    "webhooks get 503 while the disk is full, /healthz says why, and the daemon recovers by itself when space returns",
    async () => {
      fs = mountSmallFs(8);
      if (!fs) return expect.fail("the tmpfs mount failed");
      rig = await startRig({ dbDir: fs.dir });
      const { daemon, smtp } = rig;
      await daemon.start();
      const sender = new ShoptetSender(() => daemon.url);
      expect(await sender.deliver(order("order:cancel"))).toBe(true);
      await smtp.waitForMails(1, 10_000);

      fs.fill();
      const during: Notification[] = [];
      for (let i = 0; i < 10; i++) {
        const n = order(i % 2 ? "order:cancel" : "order:create", 100_000);
        during.push(n);
        await sender.deliver(n);
      }
      const statuses = Object.keys(sender.counts);
      expect(statuses.every((s) => s === "200" || s === "503"), JSON.stringify(sender.counts)).toBe(true);
      expect(sender.counts["503"]).toBeGreaterThan(0);
      const h = await health(daemon);
      expect(h.status).toBe(503);
      expect(h.text).toMatch(/database or disk is full/);
      expect(daemon.running).toBe(true);
      expect(daemon.text()).toMatch(/"err":"database or disk is full \(SQLITE_FULL\): the disk holding STOCKWATCH_DB is full[^"]*".*could not store webhooks; answered 503 so Shoptet retries/);

      fs.free();
      // No restart: the next webhooks are stored, and so are the refused ones when Shoptet retries.
      await waitFor("a webhook to be accepted again", () => sender.deliver(order("order:create")), { timeoutMs: 10_000, everyMs: 200 });
      await resendAll(sender);
      expect((await health(daemon)).status).toBe(200);
      const cancelled = during.filter((n) => n.envelope.event === "order:cancel").map((n) => n.envelope.eventInstance);
      await waitFor("the emails of the orders cancelled while the disk was full", () => {
        const texts = smtp.mails.map((m) => `${m.parsed.subject} ${m.parsed.text}`).join("\n");
        return cancelled.every((i) => texts.includes(i));
      }, { timeoutMs: 20_000, everyMs: 200 });
      // Jobs and deliveries that failed while the disk was full wait out their retry delay
      // (the stock-job policy's third delay is 45 s ±20 %), so allow for it.
      await waitFor("nothing left to do", () => unfinished(inspectDb(rig!.dbPath)) === 0, { timeoutMs: 75_000, everyMs: 200 });

      expect(await daemon.stop()).toBe(0);
      const report = inspectDb(rig.dbPath, sender.acked);
      expect(report.integrity).toBe("ok");
      expect(report.lostAcknowledged).toEqual([]);
      expect(report.events).toBe(new Set(sender.acked.map((n) => n.tag)).size);
      sender.close();
      expect(secretsIn(daemon.text())).toEqual([]);
      expect(secretsIn(storedText(rig.dbPath))).toEqual([]);
    },
    150_000,
  );
});

describe("the database turns read-only", () => {
  it.skipIf(!canSetImmutable())(
    "while running: 503, /healthz and the log say so, and writes resume when it is writable again; at startup: a one-line error",
    async () => {
      rig = await startRig();
      const { daemon, smtp } = rig;
      await daemon.start();
      const sender = new ShoptetSender(() => daemon.url);
      expect(await sender.deliver(order("order:cancel"))).toBe(true);
      await smtp.waitForMails(1, 10_000);
      await waitFor("the first delivery to be recorded", () => unfinished(inspectDb(rig!.dbPath)) === 0, 10_000);

      immutable = [rig.dbPath, `${rig.dbPath}-wal`];
      if (!setImmutable(immutable, true)) return expect.fail("chattr +i failed");
      for (let i = 0; i < 5; i++) expect(await sender.deliver(order("order:cancel"))).toBe(false);
      expect(sender.counts["503"]).toBe(5);
      const h = await health(daemon);
      expect(h.status).toBe(503);
      expect(h.text).toMatch(/not writable/);
      expect(daemon.text()).toMatch(/"err":"[^"]*\(SQLITE_IOERR[^"]*check the disk and the file"[^\n]*could not store webhooks; answered 503 so Shoptet retries/);
      expect(daemon.running).toBe(true);

      setImmutable(immutable, false);
      await waitFor("a webhook to be accepted again", () => sender.deliver(order("order:create")), { timeoutMs: 10_000, everyMs: 200 });
      await resendAll(sender);
      expect((await health(daemon)).status).toBe(200);
      await waitFor("nothing left to do", () => unfinished(inspectDb(rig!.dbPath)) === 0, { timeoutMs: 20_000, everyMs: 200 });
      expect(await daemon.stop()).toBe(0);
      const report = inspectDb(rig.dbPath, sender.acked);
      expect(report.integrity).toBe("ok");
      expect(report.lostAcknowledged).toEqual([]);
      sender.close();

      // Starting on a database file that cannot be written: exit 1 and one line naming the fix.
      if (!setImmutable([rig.dbPath], true)) return expect.fail("chattr +i failed");
      immutable = [rig.dbPath];
      const again = new Daemon({ env: rig.env });
      const { code, output } = await again.runToExit(15_000);
      expect(code).toBe(1);
      expect(output).toMatch(/stockwatch: the database file .* cannot be written .*STOCKWATCH_DB/);
      expect(output).not.toMatch(/SqliteError|    at /);
      expect(secretsIn(daemon.text() + output)).toEqual([]);
    },
    90_000,
  );
});
