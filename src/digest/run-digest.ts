import type { Db } from "../db/open-database.js";
import type { DigestMessage, NewOutboxMessage } from "../outbox/outbox-types.js";
import type { CompiledChannel, CompiledDigest } from "../rules/rules-types.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { buildDigest } from "./build-digest.js";
import type { DigestForecast, DigestScope, DigestSources } from "./digest-sources.js";
import type { DigestRunStore, DigestTrigger, NewDigestRun } from "./digest-store.js";
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

/** The record of a run of `req`, with what the run came to. */
function runRecord(req: RunRequest, createdAt: number, result: Pick<NewDigestRun, "status" | "messages" | "subject" | "error" | "sentAt">): NewDigestRun {
  return { digest: req.digest.name, slot: req.slot, trigger: req.trigger, periodFrom: req.period.from, periodTo: req.period.to, createdAt, ...result };
}

/** The digest's notify channels that the rules file defines (the others are logged and skipped). */
function channelsOf(req: RunRequest, log: Logger): { name: string; channel: CompiledChannel }[] {
  const channels: { name: string; channel: CompiledChannel }[] = [];
  for (const channelName of req.digest.notify) {
    const channel = req.rules.channel(channelName);
    if (channel) channels.push({ name: channelName, channel });
    else log.warn({ channel: channelName }, "digest names a channel the rules file does not define; skipped");
  }
  return channels;
}

/** One outbox row per channel for a rendered digest; the dedupe key is the digest, period and channel. */
export function digestMessages(
  name: string,
  period: Period,
  rendered: RenderedDigest,
  channels: readonly { name: string; channel: CompiledChannel }[],
  now: number,
): NewOutboxMessage[] {
  const { from, to } = period;
  const body: DigestMessage = { kind: "digest", digest: name, subject: rendered.subject, text: rendered.text, html: rendered.html, periodFrom: from, periodTo: to };
  return channels.map(({ name: channel, channel: c }) => ({
    dedupeKey: `digest:${name}:${from}:${to}:${channel}`,
    channel,
    destination: c.destination,
    body,
    notBefore: now,
  }));
}

/** Why a run must not be made again (checked inside the write transaction), or null. */
function alreadyMade(repo: DigestRunStore, req: RunRequest): string | null {
  const name = req.digest.name;
  if (req.slot !== null && repo.forSlot(name, req.slot)) return "this scheduled run was already made";
  if (repo.forPeriod(name, req.period.from, req.period.to)) return "this period was already sent";
  if (req.after !== undefined && (repo.lastScheduled(name)?.id ?? null) !== req.after) return "another process ran this digest meanwhile";
  return null;
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
  const { from, to } = req.period;
  const startedAt = clock.now();
  const log = logger.child({ digest: req.digest.name, periodFrom: new Date(from).toISOString(), periodTo: new Date(to).toISOString(), trigger: req.trigger });

  const recordFailure = (error: unknown): RunOutcome => {
    const message = coerceError(error).message;
    log.error({ err: message }, "digest failed; it is tried again within the hour (or at the next slot), covering this period");
    const runId = repo.insert(runRecord(req, startedAt, { status: "failed", messages: 0, subject: null, error: message, sentAt: null }));
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
  const channels = channelsOf(req, log);

  const write = db.transaction((): RunOutcome => {
    const reason = alreadyMade(repo, req);
    if (reason) return { status: "already", reason };
    const now = clock.now();
    let messages = 0;
    let duplicates = 0;
    for (const message of empty ? [] : digestMessages(req.digest.name, req.period, rendered, channels, now)) {
      const result = deps.enqueue(message);
      if (result && result.duplicate) duplicates++;
      else messages++;
    }
    const status = empty ? "empty" : "queued";
    const runId = repo.insert(runRecord(req, startedAt, { status, messages, subject: rendered.subject, error: null, sentAt: empty ? null : now }));
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
