import type { Db } from "../db/open-database.js";
import type { DigestMessage, NewOutboxMessage } from "../outbox/outbox-types.js";
import type { CompiledChannel, CompiledDigest } from "../rules/rules-types.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { buildDigest } from "./build-digest.js";
import type { DigestForecast, DigestScope, DigestSources } from "./digest-sources.js";
import type { DigestTrigger } from "./digest-store.js";
import { SqliteDigestRunStore } from "../store/sqlite/digest-run-store.js";
import type { DigestModel, Period, RenderedDigest } from "./digest-types.js";
import { gatherDigest, isEmptyDigest } from "./gather-digest.js";
import { createSqliteDigestSources } from "./sqlite-digest-sources.js";

/**
 * What the digest code needs from the loaded rules file. CompiledRules (src/rules) has this shape;
 * it is spelled out here so tests and the CLI can pass just these parts.
 */
export interface DigestRules {
  timezone: string;
  digests: readonly CompiledDigest[];
  channel(name: string): CompiledChannel | undefined;
  /** The `forecast:` block (lead times, for "running out soon"); absent: no lead times configured. */
  forecast?: DigestForecast;
}

/** Writes one outbox row; synchronous, so it joins the run's transaction. Outbox.enqueue fits. */
export type Enqueue = (msg: NewOutboxMessage) => { duplicate: boolean } | void;

export interface DigestRunDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  enqueue: Enqueue;
  /** Where digest data comes from; default: the SQLite tables of this database. */
  sources?: (scope: DigestScope) => DigestSources;
}

export interface RunRequest {
  digest: CompiledDigest;
  rules: DigestRules;
  period: Period;
  /** The scheduled instant this run stands for; null for a run by hand. */
  slot: number | null;
  trigger: DigestTrigger;
  /** Scheduled runs: the id of the latest successful run this period follows (null: the first). Checked again before writing. */
  after?: number | null;
  /** Honour the digest's skipEmpty (scheduled runs); a run by hand always sends. */
  honourSkipEmpty: boolean;
}

export type RunOutcome =
  | { status: "queued"; runId: number; messages: number; duplicates: number; channels: string[]; rendered: RenderedDigest; model: DigestModel }
  | { status: "empty"; runId: number; rendered: RenderedDigest; model: DigestModel }
  | { status: "already"; reason: string }
  | { status: "failed"; runId: number; error: string };

/** Reads and renders one digest for a period, without recording or sending anything (dry runs, previews). */
export async function previewDigest(
  deps: Pick<DigestRunDeps, "db" | "clock" | "sources">,
  digest: CompiledDigest,
  rules: DigestRules,
  period: Period,
): Promise<{ model: DigestModel; rendered: RenderedDigest }> {
  const scope: DigestScope = { eshops: digest.eshops, products: digest.products };
  const sources = (deps.sources ?? ((s: DigestScope) => createSqliteDigestSources(deps.db, s)))(scope);
  const model = await gatherDigest(
    sources,
    {
      digest: digest.name,
      timezone: rules.timezone,
      sections: digest.sections,
      scope: { eshops: digest.eshops, products: digest.products ? [...digest.products.patterns] : null },
      builtAt: deps.clock.now(),
      forecast: rules.forecast ?? null,
    },
    period.from,
    period.to,
  );
  return { model, rendered: buildDigest(model) };
}

/**
 * Runs one digest for one period: gathers and renders it (outside any transaction, so webhooks are
 * not held up), then in ONE short write transaction checks the slot and period are still unsent,
 * enqueues one outbox row per notify channel and records the run. A crash leaves either the run and
 * its messages, or neither; a second run for the same slot or period finds the record and sends nothing.
 */
export async function runDigest(deps: DigestRunDeps, req: RunRequest): Promise<RunOutcome> {
  const { db, clock, logger } = deps;
  const repo = new SqliteDigestRunStore(db);
  const name = req.digest.name;
  const { from, to } = req.period;
  const startedAt = clock.now();
  const log = logger.child({ digest: name, periodFrom: new Date(from).toISOString(), periodTo: new Date(to).toISOString(), trigger: req.trigger });

  const recordFailure = (error: unknown): RunOutcome => {
    const message = coerceError(error).message;
    log.error({ err: message }, "digest failed; it is tried again within the hour (or at the next slot), covering this period");
    const runId = repo.insert({
      digest: name,
      slot: req.slot,
      trigger: req.trigger,
      periodFrom: from,
      periodTo: to,
      status: "failed",
      messages: 0,
      subject: null,
      error: message,
      createdAt: startedAt,
      sentAt: null,
    });
    return { status: "failed", runId, error: message };
  };

  let built: { model: DigestModel; rendered: RenderedDigest };
  try {
    built = await previewDigest(deps, req.digest, req.rules, req.period);
  } catch (error) {
    return recordFailure(error);
  }
  const { model, rendered } = built;
  const empty = req.honourSkipEmpty && req.digest.skipEmpty && isEmptyDigest(model);

  const channels: { name: string; channel: CompiledChannel }[] = [];
  for (const channelName of req.digest.notify) {
    const channel = req.rules.channel(channelName);
    if (channel) channels.push({ name: channelName, channel });
    else log.warn({ channel: channelName }, "digest names a channel the rules file does not define; skipped");
  }

  const write = db.transaction((): RunOutcome => {
    if (req.slot !== null && repo.forSlot(name, req.slot)) return { status: "already", reason: "this scheduled run was already made" };
    if (repo.forPeriod(name, from, to)) return { status: "already", reason: "this period was already sent" };
    if (req.after !== undefined && (repo.lastScheduled(name)?.id ?? null) !== req.after) {
      return { status: "already", reason: "another process ran this digest meanwhile" };
    }
    const now = clock.now();
    let messages = 0;
    let duplicates = 0;
    if (!empty) {
      for (const { name: channelName, channel } of channels) {
        const body: DigestMessage = {
          kind: "digest",
          digest: name,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          periodFrom: from,
          periodTo: to,
        };
        const result = deps.enqueue({
          dedupeKey: `digest:${name}:${from}:${to}:${channelName}`,
          channel: channelName,
          destination: channel.destination,
          body,
          notBefore: now,
        });
        if (result && result.duplicate) duplicates++;
        else messages++;
      }
    }
    const runId = repo.insert({
      digest: name,
      slot: req.slot,
      trigger: req.trigger,
      periodFrom: from,
      periodTo: to,
      status: empty ? "empty" : "queued",
      messages,
      subject: rendered.subject,
      error: null,
      createdAt: startedAt,
      sentAt: empty ? null : now,
    });
    return empty
      ? { status: "empty", runId, rendered, model }
      : { status: "queued", runId, messages, duplicates, channels: channels.map((c) => c.name), rendered, model };
  });

  let outcome: RunOutcome;
  try {
    outcome = db.inTransaction ? write() : write.immediate();
  } catch (error) {
    return recordFailure(error);
  }
  if (outcome.status === "queued") log.info({ messages: outcome.messages, subject: rendered.subject }, "digest queued");
  else if (outcome.status === "empty") log.info("digest empty; skipped (skipEmpty)");
  else if (outcome.status === "already") log.info({ reason: outcome.reason }, "digest not sent again");
  return outcome;
}
