import { afterEach, describe, expect, it } from "vitest";
import { runDeliveriesList, runDeliveriesRetry } from "../../src/cli/commands/deliveries.js";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { answerDeliveries } from "../../src/outbox/deliveries-query.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { FixedClock } from "../../src/shared/clock.js";
import { createSqliteOutboxStore } from "../../src/store/sqlite/outbox-store.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, digest, emailMsg, slackMsg, T0 } from "../helpers/outbox-fixtures.js";

const dbs: Db[] = [];
afterEach(() => {
  while (dbs.length) dbs.pop()!.close();
});

function buffer() {
  let text = "";
  return { write: (s: string) => void (text += s), get text() { return text; } };
}

/** A database with one sent, one dead and one pending delivery. */
function seeded() {
  const db = openDatabase(tempDbPath());
  dbs.push(db);
  const repo = createSqliteOutboxStore(db);
  const sent = repo.enqueue(slackMsg(alert("SENT-1")), T0, 20).id;
  repo.claim(sent, T0, 1000);
  repo.markSent([sent], T0 + 1, "C1 1.1");
  const dead = repo.enqueue(slackMsg(alert("DEAD-1"), { slackChannel: "#gone" }), T0, 20).id;
  repo.claim(dead, T0, 1000);
  repo.markFailed([{ id: dead, dead: true, error: "Slack refused the message: channel_not_found" }], T0 + 2, true);
  const pending = repo.enqueue(emailMsg(digest()), T0, 20).id;
  return { db, sent, dead, pending };
}

describe("stockwatch deliveries list", () => {
  it("shows dead deliveries with their error", () => {
    const { db, dead } = seeded();
    const out = buffer();
    expect(runDeliveriesList({ db, status: "dead" }, out)).toBe(0);
    expect(out.text).toContain(`${dead}  dead`);
    expect(out.text).toContain("slack:#gone (warehouse)");
    expect(out.text).toContain("last error: Slack refused the message: channel_not_found");
    expect(out.text).not.toContain("SENT-1");
    expect(out.text).toContain("--all-dead");
  });

  it("shows everything newest first, and refuses an unknown status", () => {
    const { db } = seeded();
    const out = buffer();
    expect(runDeliveriesList({ db }, out)).toBe(0);
    expect(out.text.indexOf("Stock digest")).toBeLessThan(out.text.indexOf("SENT-1"));
    expect(out.text).toContain("1 pending, 1 sent, 1 dead");
    const err = buffer();
    expect(runDeliveriesList({ db, status: "lost" }, out, err)).toBe(1);
    expect(err.text).toContain("use one of pending, sending, sent, retrying, dead, unconfigured");
  });
});

describe("stockwatch deliveries retry", () => {
  it("queues a dead delivery again by id", () => {
    const { db, dead } = seeded();
    const out = buffer();
    expect(runDeliveriesRetry({ db, id: dead, clock: new FixedClock(T0 + 10) }, out)).toBe(0);
    expect(out.text).toBe(`delivery ${dead} queued again\n`);
    expect(createOutbox(db, new FixedClock(0)).get(dead)).toMatchObject({ status: "pending", attempts: 0, lastError: null });
  });

  it("queues all dead deliveries", () => {
    const { db } = seeded();
    const out = buffer();
    expect(runDeliveriesRetry({ db, allDead: true }, out)).toBe(0);
    expect(out.text).toBe("1 dead delivery queued again\n");
    expect(runDeliveriesRetry({ db, allDead: true }, out)).toBe(0);
    expect(out.text).toContain("no dead deliveries");
  });

  it("explains why it cannot retry", () => {
    const { db, sent } = seeded();
    const err = buffer();
    expect(runDeliveriesRetry({ db, id: sent }, err)).toBe(1);
    expect(runDeliveriesRetry({ db, id: 4242 }, err)).toBe(1);
    expect(runDeliveriesRetry({ db }, err)).toBe(1);
    expect(err.text).toContain(`delivery ${sent} was already sent`);
    expect(err.text).toContain("no delivery with id 4242");
    expect(err.text).toContain("say which deliveries to retry");
  });
});

describe("GET /api/deliveries answer", () => {
  it("filters by status and validates the query", () => {
    const { db, dead } = seeded();
    const outbox = createOutbox(db, new FixedClock(T0));
    const ok = answerDeliveries(outbox, { status: "dead" });
    expect(ok.status).toBe(200);
    if (ok.status === 200) expect(ok.body.deliveries.map((d) => d.id)).toEqual([dead]);
    const all = answerDeliveries(outbox, { limit: "2" });
    if (all.status === 200) expect(all.body.deliveries).toHaveLength(2);
    expect(answerDeliveries(outbox, { status: "nope" }).status).toBe(400);
    expect(answerDeliveries(outbox, { limit: "0" }).status).toBe(400);
    expect(answerDeliveries(outbox, { limit: "5000" }).status).toBe(400);
    expect(answerDeliveries(outbox, { before: "x" }).status).toBe(400);
  });
});
