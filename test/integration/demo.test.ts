import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDemo } from "../../scripts/demo.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("npm run demo", () => {
  it("plays the day on loopback and leaves Slack messages and the digest email as files", async () => {
    const outputDir = join(tempDir(), "demo-output");
    let story = "";
    const result = await runDemo({ outputDir, out: { write: (t: string) => (story += t) } });

    expect(result.slackMessages).toBeGreaterThanOrEqual(1);
    expect(result.emails).toBeGreaterThanOrEqual(2); // the cancelled orders, then the digest
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const files = readdirSync(outputDir);
    expect(files).toContain("slack-messages.md");
    expect(files.filter((f) => f.endsWith(".eml")).length).toBe(result.emails);
    const slack = readFileSync(join(outputDir, "slack-messages.md"), "utf8");
    expect(slack).toContain("Sold out: 26/BIL");
    expect(slack).toMatch(/Resolved — Sold out: MUG-1/);

    expect(result.digestFile).not.toBeNull();
    expect(existsSync(result.digestFile!)).toBe(true);
    const digest = readFileSync(join(outputDir, "digest.txt"), "utf8");
    expect(digest).toContain("end-of-day");
    expect(digest).toContain("26/BIL");
    expect(readFileSync(result.digestFile!, "utf8")).toMatch(/<html/i);

    expect(story).toContain("Order 2026000102 is cancelled");
    expect(story).toContain("→ Slack #warehouse");
    expect(story).toContain("Where to look:");

    // Everything was stopped: the daemon no longer answers.
    await expect(fetch(`${result.url}/healthz`)).rejects.toThrow();
  }, 30_000);
});
