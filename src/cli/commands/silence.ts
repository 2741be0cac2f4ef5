import type { Command } from "commander";
import { loadRulesFile } from "../../rules/load-rules.js";
import { didYouMean } from "../../rules/suggest.js";
import { systemClock } from "../../shared/clock.js";
import { formatDuration } from "../../shared/duration.js";
import { parseSilenceRequest } from "../../silences/silence-input.js";
import { isActive, type Silence } from "../../silences/silence-match.js";
import { SqliteSilenceStore } from "../../store/sqlite/silence-store.js";
import { requireSubcommand, usageError, type CliContext } from "../cli-context.js";
import { settingsOrSay, withDatabaseOrSay, withSettingsDatabase } from "../command-setup.js";
import type { Output } from "../output.js";

const SILENCE_DESCRIPTION =
  "A silence keeps the alerts of the matching products (globs as in the rules file, e.g. \"KAV-*\") from " +
  "being sent while it lasts (at most 90d): they are still recorded and shown in /api/alerts and on the " +
  "dashboard. --rule limits it to one rule, --eshop to one e-shop. When it ends (its time is up, or " +
  "silence expire), each of its alerts that still holds is sent once. Safe while the daemon runs; the " +
  "daemon picks up a change within its reminder round (30 s).";

interface SilenceAddFlags {
  products?: string[];
  rule?: string;
  for?: string;
  reason?: string;
  eshop?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `stockwatch silence add|list|expire`. */
export function registerSilence(program: Command, ctx: CliContext): void {
  const silence = requireSubcommand(
    program
      .command("silence")
      .usage("<add|list|expire> [options]")
      .summary("keep matching alerts from being sent, for a while")
      .description(SILENCE_DESCRIPTION),
  );
  silence
    .command("add")
    .option("--products <glob>", 'product code glob, e.g. "KAV-*"; repeat it for more', collect)
    .option("--for <duration>", "how long, e.g. 2d (at most 90d)")
    .option("--reason <text>", "why, shown with the silence")
    .option("--rule <name>", "only this rule's alerts")
    .option("--eshop <id>", "only this e-shop")
    .usage("--products GLOB --for 2d --reason TEXT [--rule NAME] [--eshop ID]")
    .summary("record matching alerts without sending them, for a while")
    .description(SILENCE_DESCRIPTION)
    .action(ctx.action((flags: SilenceAddFlags, command: Command) => silenceAdd(ctx, flags, command)));
  silence
    .command("list")
    .option("--all", "also the silences that ended")
    .usage("[--all]")
    .summary("the silences in force (--all: also ended ones)")
    .action(ctx.action((flags: { all?: boolean }) => silenceList(ctx, Boolean(flags.all))));
  silence
    .command("expire")
    .argument("[id]", "the silence's id (see silence list)")
    .usage("ID")
    .summary("end a silence now")
    .action(
      ctx.action((id: string | undefined, _flags: unknown, command: Command) => {
        if (id === undefined || !/^[1-9]\d{0,15}$/.test(id)) {
          usageError(command, `silence expire takes one silence id (a number, see silence list), got "${id ?? ""}"`);
        }
        return silenceExpire(ctx, Number(id));
      }),
    );
}

async function silenceAdd(ctx: CliContext, flags: SilenceAddFlags, command: Command): Promise<number> {
  const { out, err } = ctx.io;
  const now = (ctx.deps.clock ?? systemClock).now();
  const request = { products: flags.products ?? [], rule: flags.rule, for: flags.for, reason: flags.reason, eshop: flags.eshop };
  const input = parseSilenceRequest(request, now, ctx.env.USER ?? ctx.env.LOGNAME ?? "cli");
  if (!input.ok) usageError(command, input.message);
  const settings = settingsOrSay(ctx.env, err);
  if (!settings) return 1;
  // A rule not (yet) in the rules file is a warning, not an error: the silence may be set up
  // ahead of a rules change, and the daemon's rules can differ from the file this command reads.
  if (input.silence.rule !== null) warnUnknownRule(settings.rulesPath, input.silence.rule, err);
  return withDatabaseOrSay(settings, err, async (db) => {
    const silence = new SqliteSilenceStore(db).add(input.silence);
    const lasts = formatDuration(silence.endsAt - silence.createdAt);
    out.write(`silence ${silence.id} added: ${describeScope(silence)}, until ${iso(silence.endsAt)} (for ${lasts})\n`);
    return 0;
  });
}

function silenceList(ctx: CliContext, all: boolean): Promise<number> {
  return withSettingsDatabase(ctx, (db) => {
    const repo = new SqliteSilenceStore(db);
    const now = (ctx.deps.clock ?? systemClock).now();
    ctx.io.out.write(formatSilenceTable(all ? repo.recent(200) : repo.active(now), now, all));
    return 0;
  });
}

function silenceExpire(ctx: CliContext, id: number): Promise<number> {
  const { out, err } = ctx.io;
  return withSettingsDatabase(ctx, (db) => {
    const repo = new SqliteSilenceStore(db);
    const result = repo.expire(id, (ctx.deps.clock ?? systemClock).now());
    if (result === "unknown") {
      err.write(`stockwatch: there is no silence ${id} (stockwatch silence list --all shows them)\n`);
      return 1;
    }
    if (result === "over") {
      const s = repo.get(id)!;
      out.write(`silence ${id} had already ended at ${iso(s.expiredAt ?? s.endsAt)}; nothing changed\n`);
      return 0;
    }
    out.write(`silence ${id} expired; its alerts that still hold are sent once within the daemon's reminder round\n`);
    return 0;
  });
}

function warnUnknownRule(rulesPath: string, rule: string, err: Output): void {
  const loaded = loadRulesFile(rulesPath);
  if (!loaded.ok) {
    err.write(`stockwatch: warning: could not check --rule "${rule}" against ${rulesPath} (the file does not load); the silence is added anyway\n`);
    return;
  }
  if (loaded.rules.rule(rule)) return;
  const names = loaded.rules.rules.map((r) => r.name);
  err.write(
    `stockwatch: warning: ${rulesPath} has no rule "${rule}"${didYouMean(rule, names)}; the silence is added anyway and applies once a rule of that name exists\n`,
  );
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** "KAV-*, CAJ-1 (every rule, every e-shop)" */
export function describeScope(s: Silence): string {
  return `${s.products.join(", ")} (${s.rule === null ? "every rule" : `rule ${s.rule}`}${s.eshopId === null ? "" : `, e-shop ${s.eshopId}`})`;
}

/** The table of `silence list`: id, products, rule, reason, ends, created (and the state with --all). */
export function formatSilenceTable(silences: readonly Silence[], now: number, withState: boolean): string {
  if (silences.length === 0) return withState ? "no silences yet\n" : "no active silences (silence list --all shows ended ones)\n";
  const header = ["ID", "PRODUCTS", "RULE", "REASON", "ENDS", "CREATED", ...(withState ? ["STATE"] : [])];
  const rows = silences.map((s) => [
    String(s.id),
    s.products.join(", ") + (s.eshopId === null ? "" : ` @${s.eshopId}`),
    s.rule ?? "*",
    s.reason.replace(/\s+/g, " "),
    iso(s.expiredAt ?? s.endsAt),
    `${iso(s.createdAt)} by ${s.createdBy}`,
    ...(withState ? [isActive(s, now) ? "active" : s.expiredAt !== null ? "expired" : "ended"] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}
