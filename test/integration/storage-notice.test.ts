import Database from "better-sqlite3";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startSlackStandin, type SlackStandin } from "../helpers/slack-standin.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { SOLD_OUT_TO_SLACK } from "../helpers/rules-fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

const closers = closeAfterEach();

const RULES = SOLD_OUT_TO_SLACK;

describe("when webhooks cannot be stored", () => {
  it("answers 503 and tells the rules' channels directly, without the secret", async () => {
    const slack: SlackStandin = await startSlackStandin({ token: "xoxb-test-token" });
    closers.push(() => slack.close());
    const rulesPath = join(tempDir(), "rules.yaml");
    writeFileSync(rulesPath, RULES);
    const { url, dbPath } = await startTestApp(
      { STOCKWATCH_RULES: rulesPath, SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_API_URL: slack.url },
      { ingestBusyTimeoutMs: 200, startServices: false },
    );
    // Another process holds the write lock longer than a webhook may wait.
    const other = new Database(dbPath);
    other.exec("BEGIN EXCLUSIVE");
    closers.push(async () => {
      other.close();
    });
    const answer = await postWebhook(url, envelope("order:create", "2026000201"));
    expect(answer.status).toBe(503);

    const deadline = Date.now() + 10_000;
    while (!slack.ok("chat.postMessage").length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    other.exec("ROLLBACK");
    const notices = slack.ok("chat.postMessage");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.params.channel).toBe("#warehouse");
    expect(String(notices[0]!.params.text)).toContain("cannot write its database");
    expect(JSON.stringify(notices[0]!.params)).not.toContain("xoxb-test-token");
  }, 20_000);
});
