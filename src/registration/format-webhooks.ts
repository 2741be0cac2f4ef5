import type { Webhook } from "../shoptet/shoptet-types.js";
import type { RegisterReport, StepResult } from "./register-webhooks.js";
import type { UnregisterReport } from "./unregister-webhooks.js";
import { sameUrl } from "./webhook-url.js";

/** Text output of `stockwatch webhooks …`: plain lines, readable in a terminal and in a CI log. */

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + " ".repeat(width - text.length);
}

const MARK: Record<StepResult["outcome"], string> = { planned: "?", added: "+", updated: "~", kept: "=", skipped: "-", failed: "!" };

function describe(r: StepResult): string {
  const id = r.id === null ? "" : ` (id ${r.id})`;
  switch (r.outcome) {
    case "planned":
      switch (r.step.kind) {
        case "add":
          return `would add — ${r.detail}`;
        case "update-url":
          return `would point it here${id} — ${r.detail}; now ${r.step.from}`;
        case "keep":
          return `already registered${id}`;
        case "skip-conflict":
        case "skip-taken":
          return `would skip — ${r.detail}`;
      }
      return r.detail;
    case "added":
      return `added${id} — ${r.detail}`;
    case "updated":
      return `URL updated${id} — ${r.detail}`;
    case "kept":
      return `already registered${id}${r.detail.startsWith("already registered (") ? ` — ${r.detail}` : ""}`;
    case "skipped":
      return `skipped — ${r.detail}`;
    case "failed":
      return `FAILED — ${r.detail}`;
  }
}

export function formatRegisterReport(report: RegisterReport, eshop: string): string {
  const width = Math.max(24, ...report.results.map((r) => r.event.length + 2));
  const lines = report.results.map((r) => `  ${MARK[r.outcome]} ${pad(r.event, width)}${describe(r)}`);
  const count = (o: StepResult["outcome"]) => report.results.filter((r) => r.outcome === o).length;
  const head = `${report.results[0]?.outcome === "planned" ? "dry run: nothing changed at Shoptet" : "webhooks"} for ${report.url} (${eshop}):`;
  const out = [head, ...lines];
  if (report.plan.extra.length) {
    out.push(
      `  also registered to this URL, not asked for now (left as they are; \`webhooks unregister --events …\` removes them): ` +
        report.plan.extra.map((w) => w.event).join(", "),
    );
  }
  if (report.results[0]?.outcome !== "planned") {
    const summary = [
      `${count("added")} added`,
      `${count("updated")} re-pointed`,
      `${count("kept")} already registered`,
      `${count("skipped")} skipped`,
      ...(count("failed") ? [`${count("failed")} FAILED`] : []),
    ].join(", ");
    out.push(`${summary}${report.verified ? "; checked against Shoptet's list" : ""}`);
  }
  return `${out.join("\n")}\n`;
}

export function formatWebhookList(webhooks: readonly Webhook[], eshop: string, url: string | null): string {
  if (webhooks.length === 0) return `${eshop}: no webhooks registered for this API token's installation\n`;
  const width = Math.max(24, ...webhooks.map((w) => w.event.length + 2));
  const lines = webhooks.map((w) => {
    const mine = url !== null && sameUrl(w.url, url) ? "  (this daemon)" : "";
    return `  ${pad(String(w.id), 7)}${pad(w.event, width)}${w.url}${w.sendPayload ? " [payload]" : ""}${mine}`;
  });
  const ours = url === null ? null : webhooks.filter((w) => sameUrl(w.url, url)).length;
  const tail = ours === null ? "" : `; ${ours} to ${url}`;
  return `${eshop}: ${webhooks.length} webhook${webhooks.length === 1 ? "" : "s"}${tail}\n  ${pad("id", 7)}${pad("event", width)}url\n${lines.join("\n")}\n`;
}

export function formatUnregisterReport(report: UnregisterReport, eshop: string, url: string): string {
  const out: string[] = [];
  if (report.remove.length === 0) out.push(`${eshop}: nothing registered to ${url}; nothing to remove`);
  else if (report.dryRun) {
    out.push(`dry run: would remove ${report.remove.length} webhook${report.remove.length === 1 ? "" : "s"} of ${url} (${eshop}):`);
    for (const w of report.remove) out.push(`  - ${w.event} (id ${w.id})`);
  } else {
    out.push(`removed ${report.removed.length} webhook${report.removed.length === 1 ? "" : "s"} of ${url} (${eshop}):`);
    for (const w of report.removed) out.push(`  - ${w.event} (id ${w.id})`);
    for (const w of report.alreadyGone) out.push(`  - ${w.event} (id ${w.id}) was already gone`);
  }
  if (report.others.length) out.push(`${report.others.length} webhook${report.others.length === 1 ? "" : "s"} of other URLs left alone`);
  return `${out.join("\n")}\n`;
}
