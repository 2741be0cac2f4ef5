import { LogLevel, WebClient, type Logger as SlackLogger } from "@slack/web-api";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import type { AlertMessage } from "../outbox/outbox-types.js";
import type { DeliveryResult, Notifier, OutgoingItem, OutgoingMessage } from "./notifier.js";
import {
  MAIN_PRODUCTS,
  renderSlack,
  renderSlackMessage,
  renderThreadReplies,
  renderThreadReply,
  type SlackBlock,
  type SlackRendering,
} from "./render-slack.js";
import { classifySlackError, MESSAGE_GONE, platformErrorCode } from "./slack-errors.js";
import type { SlackEntry, SlackThread, SlackThreadStore } from "./slack-thread-store.js";

/** The slice of the Slack Web API stockwatch uses. */
export interface SlackApi {
  postMessage(args: {
    channel: string;
    text: string;
    blocks?: SlackBlock[];
    thread_ts?: string;
    reply_broadcast?: boolean;
  }): Promise<{ channel: string; ts: string }>;
  update(args: { channel: string; ts: string; text: string; blocks: SlackBlock[] }): Promise<void>;
}

export interface SlackClientOptions {
  token: string;
  /** SLACK_API_URL, e.g. https://slack.com/api/ */
  apiUrl: string;
  /** Per request; the outbox retries, so keep it short. */
  timeoutMs?: number;
  logger?: Logger;
}

/** Forwards WebClient's own log lines to ours at debug level, secrets removed. */
function slackLogger(logger: Logger | undefined, secrets: string[]): SlackLogger {
  let level = LogLevel.WARN;
  const forward = (...msg: unknown[]) =>
    logger?.debug({ component: "slack-web-api" }, redactSecrets(msg.map(String).join(" "), secrets));
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: forward,
    error: forward,
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * A SlackApi on `@slack/web-api`'s WebClient with its own retries off and rate-limited calls
 * rejected at once: the outbox owns retries, and honours Retry-After itself.
 */
export function createSlackApi(options: SlackClientOptions): SlackApi {
  const client = new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    timeout: options.timeoutMs ?? 10_000,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: slackLogger(options.logger, [options.token]),
  });
  return {
    async postMessage(args) {
      const base = { channel: args.channel, text: args.text, unfurl_links: false, unfurl_media: false };
      const withBlocks = args.blocks ? { ...base, blocks: args.blocks } : base;
      const res = args.thread_ts
        ? await client.chat.postMessage({ ...withBlocks, thread_ts: args.thread_ts, reply_broadcast: args.reply_broadcast ?? false })
        : await client.chat.postMessage(withBlocks);
      return { channel: String(res.channel ?? args.channel), ts: String(res.ts) };
    },
    async update(args) {
      await client.chat.update(args);
    },
  };
}

export interface SlackNotifierOptions {
  api: SlackApi;
  threads: SlackThreadStore;
  clock: Clock;
}

const isAlert = (item: OutgoingItem): item is OutgoingItem & { body: AlertMessage } => item.body.kind === "alert";

/**
 * SlackNotifier posts alerts and digests with Block Kit and a text fallback. One message per
 * incident: a resolve or level change updates the incident's message (chat.update) and adds a
 * short thread reply; a reminder is a thread reply also shown in the channel; a message whose
 * incident has no known message is posted new. A group too long for one message continues in
 * replies in the new message's thread, so every product is named.
 */
export class SlackNotifier implements Notifier {
  readonly transport = "slack" as const;

  constructor(private readonly options: SlackNotifierOptions) {}

  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    if (message.destination.type !== "slack") {
      return { ok: false, retryable: false, reason: "wrong_transport", error: "not a Slack destination" };
    }
    const channel = message.destination.channel;
    const { threads } = this.options;
    const posts: OutgoingItem[] = [];
    const updates = new Map<number, { thread: SlackThread; items: (OutgoingItem & { body: AlertMessage })[] }>();
    const reminders: { thread: SlackThread; item: OutgoingItem & { body: AlertMessage } }[] = [];
    for (const item of message.items) {
      const thread =
        isAlert(item) && item.incidentKey && item.body.transition !== "open"
          ? threads.find(item.incidentKey, channel)
          : undefined;
      if (!thread || !isAlert(item)) posts.push(item);
      else if (item.body.transition === "remind") reminders.push({ thread, item });
      else {
        const u = updates.get(thread.messageId) ?? { thread, items: [] };
        u.items.push(item);
        updates.set(thread.messageId, u);
      }
    }
    try {
      let ref: string | undefined;
      // Updates first: repeating a chat.update on retry is harmless, repeating a post is not.
      for (const { thread, items } of updates.values()) {
        if (await this.updateThread(thread, items)) ref ??= `${thread.channelId} ${thread.ts}`;
        else posts.push(...items);
      }
      for (const { thread, item } of reminders) {
        await this.options.api.postMessage({
          channel: thread.channelId,
          thread_ts: thread.ts,
          reply_broadcast: true,
          text: renderThreadReply([item.body]),
        });
        ref ??= `${thread.channelId} ${thread.ts}`;
      }
      if (posts.length) ref = await this.post(channel, posts);
      return ref === undefined ? { ok: true } : { ok: true, ref };
    } catch (error) {
      return classifySlackError(error);
    }
  }

  /** Re-renders the incident's message with the new state; false when that message is gone. */
  private async updateThread(thread: SlackThread, items: (OutgoingItem & { body: AlertMessage })[]): Promise<boolean> {
    const byKey = new Map(items.map((i) => [i.incidentKey, i.body]));
    const entries: SlackEntry[] = thread.entries.map((e) =>
      e.incidentKey && byKey.has(e.incidentKey) ? { incidentKey: e.incidentKey, body: byKey.get(e.incidentKey)! } : e,
    );
    const rendering = renderSlack(entries.map((e) => e.body), { now: this.options.clock.now() });
    try {
      await this.options.api.update({ channel: thread.channelId, ts: thread.ts, ...rendering });
    } catch (error) {
      const code = platformErrorCode(error);
      if (code && MESSAGE_GONE.has(code)) return false;
      throw error;
    }
    this.options.threads.updateEntries(thread.messageId, entries, this.options.clock.now());
    for (const text of renderThreadReplies(items.map((i) => i.body))) {
      await this.options.api.postMessage({ channel: thread.channelId, thread_ts: thread.ts, text });
    }
    return true;
  }

  private async post(channel: string, all: OutgoingItem[]): Promise<string> {
    const now = this.options.clock.now();
    let items = all;
    // A retry after a failed continuation reply: the message is there, its replies are posted
    // again (a reply repeated in the thread, never the message in the channel, never a product lost).
    const earlier = this.unfinishedPost(channel, items, now);
    if (earlier) {
      await this.postReplies(earlier.thread.channelId, earlier.thread.ts, earlier.replies);
      items = items.filter((i) => !earlier.items.has(i));
      if (!items.length) return `${earlier.thread.channelId} ${earlier.thread.ts}`;
    }
    const { main, replies } = renderSlackMessage(items.map((i) => i.body), { now });
    const res = await this.options.api.postMessage({ channel, ...main });
    const entries: SlackEntry[] = items.filter(isAlert).map((i) => ({ incidentKey: i.incidentKey, body: i.body }));
    // Only a message that shows an incident can be updated later; nothing else needs remembering.
    if (entries.some((e) => e.incidentKey)) {
      this.options.threads.recordPost({ channel, channelId: res.channel, ts: res.ts, entries, now });
    }
    await this.postReplies(res.channel, res.ts, replies);
    return `${res.channel} ${res.ts}`;
  }

  /** The continuation replies of a long group, in order, in the thread of its message. */
  private async postReplies(channelId: string, ts: string, replies: readonly SlackRendering[]): Promise<void> {
    for (const reply of replies) await this.options.api.postMessage({ channel: channelId, thread_ts: ts, ...reply });
  }

  /**
   * A long grouped message an earlier attempt of this send posted: every open alert it shows is
   * among `items` again. Only a group with continuation replies is looked for: a short message
   * has nothing left to finish.
   */
  private unfinishedPost(
    channel: string,
    items: OutgoingItem[],
    now: number,
  ): { thread: SlackThread; items: Set<OutgoingItem>; replies: SlackRendering[] } | undefined {
    if (items.length <= MAIN_PRODUCTS) return undefined;
    const open = new Map<string, OutgoingItem>();
    for (const i of items) if (isAlert(i) && i.body.transition === "open" && i.incidentKey) open.set(i.incidentKey, i);
    for (const key of open.keys()) {
      const thread = this.options.threads.find(key, channel);
      if (!thread) continue;
      const mine = thread.entries.map((e) => (e.incidentKey ? open.get(e.incidentKey) : undefined));
      if (mine.some((m) => m === undefined)) return undefined;
      const { replies } = renderSlackMessage(thread.entries.map((e) => e.body), { now });
      return replies.length ? { thread, items: new Set(mine as OutgoingItem[]), replies } : undefined;
    }
    return undefined;
  }
}
