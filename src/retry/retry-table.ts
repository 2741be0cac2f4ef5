import { baseDelayMs, type RetryPolicy } from "./retry-policy.js";

/** The un-jittered delays after failed attempts 1 … maxAttempts−1, for documentation and `--help`. */
export function delayTable(policy: RetryPolicy): number[] {
  const out: number[] = [];
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) out.push(baseDelayMs(policy, attempt));
  return out;
}

function human(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** The delivery policy's delay table as markdown, for the README (generated, so it cannot drift). */
export function retryTableMarkdown(policy: RetryPolicy): string {
  const lines = [
    "| failed attempt | next attempt after (±" + Math.round(policy.jitter * 100) + " % jitter) | time since first attempt (no jitter) |",
    "| --- | --- | --- |",
  ];
  let total = 0;
  for (const [i, d] of delayTable(policy).entries()) {
    total += d;
    const lo = Math.round(d * (1 - policy.jitter));
    const hi = Math.round(d * (1 + policy.jitter));
    lines.push(`| ${i + 1} | ${human(d)} (${human(lo)} – ${human(hi)}) | ${human(total)} |`);
  }
  lines.push(`| ${policy.maxAttempts} | dead (visible in \`stockwatch deliveries list --status dead\`, retryable) | |`);
  return lines.join("\n");
}
