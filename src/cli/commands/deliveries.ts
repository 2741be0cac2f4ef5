import type { Command } from "commander";
import type { Db } from "../../db/open-database.js";
import { createOutbox } from "../../outbox/create-outbox.js";
import { DELIVERY_STATUSES, isDeliveryStatus, type DeliveryView } from "../../outbox/outbox-types.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import { requireSubcommand, usageError, type CliContext } from "../cli-context.js";
import { withSettingsDatabase } from "../command-setup.js";
import { choiceValue, integerValue } from "../option-values.js";
import type { Output } from "../output.js";

export interface DeliveriesListOptions {
  db: Db;
  /** Only deliveries in this status (e.g. "dead"). */
  status?: string | undefined;
  limit?: number | undefined;
}

function line(d: DeliveryView): string {
  const when =
    d.status === "sent"
      ? `sent ${d.sentAt}`
      : d.nextAttemptAt
        ? `next ${d.nextAttemptAt}`
        : `created ${d.createdAt}`;
  const head = `${String(d.id).padStart(6)}  ${d.status.padEnd(12)} ${String(d.attempts).padStart(3)}×  ${d.transport}:${d.destination} (${d.channel})  ${when}`;
  const rest = [`        ${d.kind}: ${d.summary}`];
  if (d.lastError) rest.push(`        last error: ${d.lastError}`);
  return [head, ...rest].join("\n");
}

/** `stockwatch deliveries list [--status dead]`: newest first; exit 0, or 1 for an unknown status. */
export function runDeliveriesList(options: DeliveriesListOptions, out: Output, err: Output = out): number {
  if (options.status !== undefined && !isDeliveryStatus(options.status)) {
    err.write(`unknown status "${options.status}": use one of ${DELIVERY_STATUSES.join(", ")}\n`);
    return 1;
  }
  const outbox = createOutbox(options.db, systemClock);
  const rows = outbox.list({ status: options.status, limit: options.limit ?? 100 });
  if (rows.length === 0) {
    out.write(options.status ? `no ${options.status} deliveries\n` : "no deliveries yet\n");
    return 0;
  }
  out.write(`${"id".padStart(6)}  ${"status".padEnd(12)} tries  destination (channel)  when\n`);
  for (const d of rows) out.write(`${line(d)}\n`);
  const counts = outbox.counts();
  out.write(
    `\n${DELIVERY_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`).join(", ")}` +
      (counts.dead ? " — retry dead ones with `stockwatch deliveries retry <id>` or `--all-dead`" : "") +
      "\n",
  );
  return 0;
}

export interface DeliveriesRetryOptions {
  db: Db;
  id?: number | undefined;
  allDead?: boolean | undefined;
  /** Also offered: after SLACK_BOT_TOKEN or SMTP_URL was set, send what was kept as unconfigured. */
  allUnconfigured?: boolean | undefined;
  clock?: Clock;
}

/**
 * `stockwatch deliveries retry <id|--all-dead|--all-unconfigured>`: queues deliveries again with
 * fresh attempts; the running daemon sends them within seconds. Exit 0, or 1 with the reason.
 */
export function runDeliveriesRetry(options: DeliveriesRetryOptions, out: Output, err: Output = out): number {
  const outbox = createOutbox(options.db, options.clock ?? systemClock);
  const chosen = [options.id !== undefined, options.allDead === true, options.allUnconfigured === true].filter(Boolean).length;
  if (chosen !== 1) {
    err.write("say which deliveries to retry: an id, --all-dead or --all-unconfigured\n");
    return 1;
  }
  if (options.allDead) {
    const n = outbox.retryAllDead();
    out.write(n ? `${n} dead ${n === 1 ? "delivery" : "deliveries"} queued again\n` : "no dead deliveries\n");
    return 0;
  }
  if (options.allUnconfigured) {
    const n = outbox.retryAllUnconfigured();
    out.write(n ? `${n} unconfigured ${n === 1 ? "delivery" : "deliveries"} queued again\n` : "no unconfigured deliveries\n");
    return 0;
  }
  const id = options.id!;
  if (!Number.isInteger(id) || id < 1) {
    err.write(`"${id}" is not a delivery id: see \`stockwatch deliveries list\`\n`);
    return 1;
  }
  switch (outbox.retry(id)) {
    case "queued":
      out.write(`delivery ${id} queued again\n`);
      return 0;
    case "not_found":
      err.write(`no delivery with id ${id}: see \`stockwatch deliveries list\`\n`);
      return 1;
    case "already_sent":
      err.write(`delivery ${id} was already sent; nothing to retry\n`);
      return 1;
    case "in_progress":
      err.write(`delivery ${id} is being sent right now; check again in a minute\n`);
      return 1;
  }
}

/** `stockwatch deliveries list|retry`. */
export function registerDeliveries(program: Command, ctx: CliContext): void {
  const deliveries = requireSubcommand(
    program.command("deliveries").summary("the outbox: list deliveries, retry failed ones").usage("<list|retry> [options]"),
  );
  deliveries
    .command("list")
    .option("--status <status>", `only deliveries in this status: ${DELIVERY_STATUSES.join(", ")}`, choiceValue(DELIVERY_STATUSES))
    .option("--limit <n>", "at most this many, newest first (default 100)", integerValue(1, 1000))
    .usage("[--status S] [--limit N]")
    .summary("the newest deliveries and their state")
    .action(
      ctx.action((options: { status?: string; limit?: number }) =>
        withSettingsDatabase(ctx, (db) => runDeliveriesList({ db, status: options.status, limit: options.limit }, ctx.io.out, ctx.io.err)),
      ),
    );
  deliveries
    .command("retry")
    .argument("[id]", "a delivery id (see deliveries list)", integerValue(1, Number.MAX_SAFE_INTEGER))
    .option("--all-dead", "every dead delivery")
    .option("--all-unconfigured", "every delivery kept because its transport was not configured")
    .usage("<id> | --all-dead | --all-unconfigured")
    .summary("queue deliveries again; the daemon sends them within seconds")
    .action(
      ctx.action((id: number | undefined, options: { allDead?: boolean; allUnconfigured?: boolean }, command: Command) => {
        const chosen = [id !== undefined, Boolean(options.allDead), Boolean(options.allUnconfigured)].filter(Boolean).length;
        if (chosen !== 1) usageError(command, "deliveries retry takes one delivery id, or --all-dead, or --all-unconfigured");
        const which = id !== undefined ? { id } : options.allDead ? { allDead: true } : { allUnconfigured: true };
        return withSettingsDatabase(ctx, (db) => runDeliveriesRetry({ db, ...which }, ctx.io.out, ctx.io.err));
      }),
    );
}
