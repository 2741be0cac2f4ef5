import { parseArgs } from "node:util";
import type { Env } from "../../config/env.js";
import { loadRulesFile } from "../../rules/load-rules.js";
import { didYouMean } from "../../rules/suggest.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import { formatDuration } from "../../shared/duration.js";
import { coerceError } from "../../shared/errors.js";
import { parseSilenceRequest } from "../../silences/silence-input.js";
import { isActive, type Silence } from "../../silences/silence-match.js";
import { SqliteSilenceStore } from "../../store/sqlite/silence-store.js";
import { settingsOrSay, withDatabaseOrSay } from "../command-setup.js";
import type { Output } from "../output.js";

export const SILENCE_USAGE = `usage: stockwatch silence add --products GLOB [--products GLOB…] --for 2d --reason TEXT [--rule NAME] [--eshop ID]
       stockwatch silence list [--all]
       stockwatch silence expire ID

  A silence keeps the alerts of the matching products (globs as in the rules file, e.g. "KAV-*")
  from being sent while it lasts (at most 90d): they are still recorded and shown in /api/alerts
  and on the dashboard. --rule limits it to one rule, --eshop to one e-shop. When it ends (its time
  is up, or silence expire), each of its alerts that still holds is sent once. Safe while the
  daemon runs; the daemon picks up a change within its reminder round (30 s).
`;

/** Exit codes: 0 done, 1 failed (unknown id, database), 2 the command line is wrong. */
const USAGE_ERROR = 2;

export interface SilenceCommandOptions {
  clock?: Clock;
}

/** `stockwatch silence add|list|expire`. */
export async function runSilenceCommand(args: string[], env: Env, out: Output, err: Output, options: SilenceCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  const clock = options.clock ?? systemClock;
  const usage = (message: string) => {
    err.write(`stockwatch: ${message}\n\n${SILENCE_USAGE}`);
    return USAGE_ERROR;
  };
  if (sub === undefined || sub === "help" || sub === "--help" || sub === "-h") {
    if (sub === undefined) return usage("silence needs a subcommand: add, list or expire");
    out.write(SILENCE_USAGE);
    return 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(sub, rest);
  } catch (error) {
    return usage(coerceError(error).message);
  }
  if (parsed.kind === "unknown") return usage(`unknown silence subcommand "${sub}"; use add, list or expire`);

  if (parsed.kind === "add") {
    const now = clock.now();
    const input = parseSilenceRequest(parsed.request, now, env.USER ?? env.LOGNAME ?? "cli");
    if (!input.ok) return usage(input.message);
    const settings = settingsOrSay(env, err);
    if (!settings) return 1;
    // A rule not (yet) in the rules file is a warning, not an error: the silence may be set up
    // ahead of a rules change, and the daemon's rules can differ from the file this command reads.
    if (input.silence.rule !== null) warnUnknownRule(settings.rulesPath, input.silence.rule, err);
    return withDatabaseOrSay(settings, err, async (db) => {
      const silence = new SqliteSilenceStore(db).add(input.silence);
      out.write(
        `silence ${silence.id} added: ${describeScope(silence)}, until ${iso(silence.endsAt)} (for ${formatDuration(silence.endsAt - silence.createdAt)})\n`,
      );
      return 0;
    });
  }

  const settings = settingsOrSay(env, err);
  if (!settings) return 1;
  if (parsed.kind === "list") {
    return withDatabaseOrSay(settings, err, async (db) => {
      const repo = new SqliteSilenceStore(db);
      const now = clock.now();
      const silences = parsed.all ? repo.recent(200) : repo.active(now);
      out.write(formatSilenceTable(silences, now, parsed.all));
      return 0;
    });
  }
  const id = parsed.id;
  return withDatabaseOrSay(settings, err, async (db) => {
    const repo = new SqliteSilenceStore(db);
    const now = clock.now();
    const result = repo.expire(id, now);
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

type Parsed =
  | { kind: "add"; request: { products: string[]; rule?: string | undefined; for?: string | undefined; reason?: string | undefined; eshop?: string | undefined } }
  | { kind: "list"; all: boolean }
  | { kind: "expire"; id: number }
  | { kind: "unknown" };

/** The subcommand's options; throws (a usage error) on unknown options or a bad id. */
function parse(sub: string, args: string[]): Parsed {
  if (sub === "add") {
    const { values } = parseArgs({
      args,
      options: {
        products: { type: "string", multiple: true },
        rule: { type: "string" },
        for: { type: "string" },
        reason: { type: "string" },
        eshop: { type: "string" },
      },
      allowPositionals: false,
    });
    return { kind: "add", request: { products: values.products ?? [], rule: values.rule, for: values.for, reason: values.reason, eshop: values.eshop } };
  }
  if (sub === "list") {
    const { values } = parseArgs({ args, options: { all: { type: "boolean" } }, allowPositionals: false });
    return { kind: "list", all: Boolean(values.all) };
  }
  if (sub === "expire") {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
    if (positionals.length !== 1 || !/^[1-9]\d{0,15}$/.test(positionals[0]!)) {
      throw new Error(`silence expire takes one silence id (a number, see silence list), got "${positionals.join(" ")}"`);
    }
    return { kind: "expire", id: Number(positionals[0]) };
  }
  return { kind: "unknown" };
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
