import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { EventRepo } from "../../src/events/event-repo.js";
import { toIncomingEvent } from "../../src/receiver/accepted-webhook.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { envelope } from "../helpers/webhooks.js";

describe("listing events by type", () => {
  it("pages through recent and older ids alike, with the same result as a plain filter", () => {
    const db = openDatabase(tempDbPath());
    // A window of 7 ids: most answers need both the primary-key walk and the type index.
    const repo = new EventRepo(db, 7);
    const types = ["order:create", "stock:movement", "order:create", "invoice:create", "order:create"];
    const rows = Array.from({ length: 120 }, (_, i) => {
      // order:delete is rare and only old: the index alone finds it.
      const type = i === 3 || i === 40 ? "order:delete" : types[i % types.length]!;
      const e = envelope(type, `I-${i}`, { eshopId: i % 4 === 0 ? 1 : 2 });
      return toIncomingEvent({ raw: Buffer.from(JSON.stringify(e)), receivedAt: 1_000 + i, envelope: e });
    });
    repo.insertBatch(rows);
    const all = repo.list({ limit: 1_000 });
    expect(all).toHaveLength(120);

    for (const event of ["order:create", "stock:movement", "order:delete", "order:update"]) {
      for (const eshopId of [undefined, 1, 2]) {
        for (const limit of [1, 3, 10, 50]) {
          const expected = all.filter((e) => e.event === event && (eshopId === undefined || e.eshopId === eshopId));
          // Every page, following `before` as a client does, until the end.
          const pages: number[] = [];
          let before: number | undefined;
          for (;;) {
            const page = repo.list({ event, eshopId, before, limit });
            expect(page.length).toBeLessThanOrEqual(limit);
            pages.push(...page.map((e) => e.id));
            if (page.length < limit) break;
            before = page[page.length - 1]!.id;
          }
          expect(pages, `${event} eshop ${eshopId} limit ${limit}`).toEqual(expected.map((e) => e.id));
        }
      }
    }
    db.close();
  });
});
