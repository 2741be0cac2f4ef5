import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { createStorageFailureReporter } from "../../src/outbox/storage-failure-reporter.js";
import { FixedClock } from "../../src/shared/clock.js";
import { startSlackStandin } from "../helpers/slack-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { captureLogger, T0 } from "../helpers/outbox-fixtures.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("reportStorageFailure", () => {
  it("logs at error level and tells Slack directly, at most once per 10 minutes", async () => {
    const clock = new FixedClock(T0);
    const slack = await startSlackStandin({ token: "xoxb-s" });
    const db = openDatabase(tempDbPath());
    cleanups.push(() => slack.close(), () => void db.close());
    const logs = captureLogger();
    const notifiers = createNotifiers(
      { slackBotToken: "xoxb-s", slackApiUrl: slack.url, smtpUrl: undefined, mailFrom: "x@y.z" },
      { db, clock, logger: logs.logger },
    );
    const reporter = createStorageFailureReporter({
      logger: logs.logger,
      clock,
      notifiers,
      destinations: [
        { channel: "warehouse", destination: { type: "slack", channel: "#warehouse" } },
        // No SMTP configured: skipped without complaint.
        { channel: "managers", destination: { type: "email", to: ["m@shop.test"] } },
      ],
      secrets: ["s3cret"],
    });

    await reporter.reportStorageFailure(new Error("SQLITE_FULL: database or disk is full (s3cret)"));
    clock.advance(5_000);
    await reporter.reportStorageFailure(new Error("SQLITE_FULL again"));
    clock.advance(60_000);
    await reporter.reportStorageFailure(new Error("SQLITE_FULL again"));

    const posts = slack.ok("chat.postMessage");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.params.text).toContain("cannot write its database");
    expect(posts[0]!.params.text).toContain("SQLITE_FULL");
    const errors = logs.lines.filter((l) => l.includes('"level":50'));
    expect(errors).toHaveLength(2); // the second came within 10 s and was counted instead
    expect(errors[1]).toContain('"suppressed":1');
    expect(logs.text()).not.toContain("s3cret");
    expect(JSON.stringify(posts[0]!.params)).not.toContain("s3cret");

    clock.advance(600_000);
    await reporter.reportStorageFailure(new Error("still full"));
    expect(slack.ok("chat.postMessage")).toHaveLength(2);
  });
});
