import type { Db } from "../db/open-database.js";
import { writeTransaction } from "../db/write-transaction.js";
import type { AlertMessage, NewOutboxMessage } from "../outbox/outbox-types.js";
import type { Clock } from "../shared/clock.js";
import { SqliteAlertActionStore, withoutBusyWait } from "../store/sqlite/alert-action-store.js";
import { alertIdOf, type ActionableAlert, type AlertActionStore, type PostedMessage } from "./alert-action-store.js";
import type { SlackAction } from "./interaction-payload.js";

/** What the route answers Slack: an ephemeral text only the clicking user sees. */
export interface ActionOutcome {
  /** done: alerts changed; replay: this click was handled before; nothing: no open alert to act on. */
  status: "done" | "replay" | "nothing";
  text: string;
  /** Alerts changed by this click. */
  changed: number[];
}

export interface AlertActionsDeps {
  db: Db;
  clock: Clock;
  /** Writes one outbox row inside the action's transaction (the message update). */
  enqueue: (message: NewOutboxMessage) => void;
  /** How long a click may wait for the database write lock before Slack is told to try again. Default 2 s (Slack waits 3). */
  lockWaitMs?: number;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
const alertsWord = (n: number) => (n === 1 ? "1 alert" : `${n} alerts`);

/**
 * What a click means, decided without I/O: the open alerts of the message it was made in, or an
 * explanation of why nothing happens (unknown message, everything already resolved).
 */
export function targetsOf(alertIds: readonly number[], alerts: readonly ActionableAlert[]): { open: ActionableAlert[]; explanation: string | null } {
  if (alertIds.length === 0 || alerts.length === 0) {
    return { open: [], explanation: "stockwatch knows no alert in this message (it may have been pruned): nothing changed." };
  }
  const open = alerts.filter((a) => a.state === "open");
  if (open.length === 0) {
    const ids = alerts.map((a) => `#${a.id}`).join(", ");
    return { open, explanation: `Already resolved (alert ${ids}): there is nothing to acknowledge or snooze any more.` };
  }
  return { open, explanation: null };
}

/** The ephemeral confirmation of a click that changed `n` alerts. */
export function confirmation(action: SlackAction, n: number, snoozedUntil: number | null): string {
  if (action.action === "ack") return `Acknowledged ${alertsWord(n)}: no more reminders; the resolve will still be posted.`;
  if (action.action === "snooze") return `Snoozed ${alertsWord(n)} until ${utc(snoozedUntil!)}: no reminders before then.`;
  return `Undone for ${alertsWord(n)}: no longer acknowledged or snoozed; reminders resume.`;
}

/**
 * Acknowledge, snooze and undo on the open alerts of one Slack message, in ONE short write
 * transaction: the alert columns, the action log (a replayed click is recorded once and changes
 * nothing), and an outbox `update` for every Slack message that shows each alert, so the delivery
 * worker's chat.update path re-renders it with who acknowledged or until when it is snoozed.
 */
export function createAlertActions(deps: AlertActionsDeps): (action: SlackAction) => Promise<ActionOutcome | null> {
  const { db, clock, enqueue } = deps;
  const repo: AlertActionStore = new SqliteAlertActionStore(db);
  const lockWaitMs = deps.lockWaitMs ?? 2000;

  const tx = writeTransaction(db, "slack:action", (action: SlackAction): ActionOutcome => {
    const now = clock.now();
    const message = repo.message(action.channelId, action.messageTs);
    const ids = [...new Set((message?.entries ?? []).map((e) => alertIdOf(e.incidentKey)).filter((id): id is number => id !== null))];
    const { open, explanation } = targetsOf(ids, ids.length ? repo.alerts(ids) : []);
    if (explanation !== null) return { status: "nothing", text: explanation, changed: [] };

    const actionKey = `${action.channelId}:${action.messageTs}:${action.user.id}:${action.actionTs}`;
    const snoozedUntil = action.action === "snooze" ? now + action.snoozeMs! : null;
    const changed: number[] = [];
    const seen = new Map(message ? [[message.id, message]] : []);
    const channelNames = new Map<string, string>();
    for (const alert of open) {
      const recorded = repo.record({
        alertId: alert.id,
        action: action.action,
        userId: action.user.id,
        userName: action.user.name,
        value: action.value,
        at: now,
        actionKey,
      });
      if (recorded === null) continue;
      changed.push(alert.id);
      let acknowledged: AlertMessage["acknowledged"] = alert.acknowledgedBy !== null ? { by: alert.acknowledgedBy, at: alert.acknowledgedAt ?? now } : null;
      let snoozed = alert.snoozedUntil;
      if (action.action === "ack") {
        repo.acknowledge(alert.id, action.user, now);
        // The user id: the message mentions it (<@U123>), and Slack shows the person's current name.
        acknowledged = { by: action.user.id, at: now };
      } else if (action.action === "snooze") {
        repo.snooze(alert.id, snoozedUntil!, now);
        snoozed = snoozedUntil;
      } else {
        repo.clear(alert.id, now);
        acknowledged = null;
        snoozed = null;
      }
      enqueueUpdates({ repo, enqueue, seen, channelNames }, alert.id, { acknowledged, snoozedUntil: snoozed }, { actionKey, recorded, now });
    }
    if (changed.length === 0) return { status: "replay", text: "Already done: this click was handled before, nothing changed.", changed };
    return { status: "done", text: confirmation(action, changed.length, snoozedUntil), changed };
  });

  // This runs on the HTTP thread, which also answers webhooks: a write lock held by the engine
  // thread or a CLI command is waited for between turns of the event loop (busy_timeout 0 for
  // the attempt), never by sleeping the thread in SQLite's busy handler.
  return async (action) => {
    const deadline = performance.now() + lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      const outcome = withoutBusyWait(db, () => tx(action));
      if (!outcome.busy) return outcome.value;
      if (performance.now() >= deadline) return null;
      await new Promise((resolve) => (attempt < 8 ? setImmediate(resolve) : setTimeout(resolve, 2)));
    }
  };
}

/**
 * An outbox `update` for every Slack message that shows the alert, re-rendered with its
 * acknowledgement and snooze; the rules channel's name is looked up once per Slack channel.
 */
function enqueueUpdates(
  ctx: { repo: AlertActionStore; enqueue: (message: NewOutboxMessage) => void; seen: Map<number, PostedMessage>; channelNames: Map<string, string> },
  alertId: number,
  shownAs: Pick<AlertMessage, "acknowledged" | "snoozedUntil">,
  click: { actionKey: string; recorded: number; now: number },
): void {
  const incidentKey = `alert:${alertId}`;
  for (const shown of ctx.repo.messagesOf(incidentKey, ctx.seen)) {
    const entry = shown.entries.find((e) => e.incidentKey === incidentKey);
    if (!entry || entry.body.kind !== "alert") continue;
    const body: AlertMessage = { ...entry.body, transition: "update", ...shownAs };
    // The rules channel's name, for the deliveries list; one look-up per Slack channel.
    let name = ctx.channelNames.get(shown.channel);
    if (name === undefined) {
      name = ctx.repo.channelName(alertId, shown.channel) ?? shown.channel;
      ctx.channelNames.set(shown.channel, name);
    }
    ctx.enqueue({
      dedupeKey: `alert:${alertId}:action-${click.recorded}:${name}`,
      channel: name,
      destination: { type: "slack", channel: shown.channel },
      body,
      notBefore: click.now,
      // The alerts of one click go out together: one chat.update per Slack message.
      groupKey: `slack-action:${click.actionKey}`,
      incidentKey,
    });
  }
}
