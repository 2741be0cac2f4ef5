import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback stand-in for the Slack Web API methods stockwatch calls (chat.postMessage,
 * chat.update), answering in Slack's shapes. Point WebClient's `slackApiUrl` at `url`.
 * It reads bodies the way WebClient sends them (form-encoded, `blocks` as a JSON string) and
 * JSON bodies too, records every call, and can be scripted to fail.
 */
export type SlackFailure =
  /** An HTTP status, e.g. 429 with Retry-After seconds, or 500. */
  | { status: number; retryAfter?: number }
  /** HTTP 200 with `{ ok: false, error }`, e.g. channel_not_found. */
  | { error: string }
  /** Answer normally, but only after this many ms (for timeouts). */
  | { delayMs: number };

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  /** When the request arrived, by the `now` option (default Date.now). */
  at: number;
  authorization: string | undefined;
  contentType: string | undefined;
  /** What was answered: "ok", an error code, or an HTTP status. */
  answer: string;
  /** The ts of the message the call posted or updated. */
  ts?: string;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  threadTs: string | undefined;
  updates: number;
}

export interface SlackStandin {
  /** Base URL for `slackApiUrl`, ending in "/". */
  url: string;
  calls: SlackCall[];
  /** Messages by ts, as they are now (after updates). */
  messages: Map<string, SlackMessage>;
  /** Successful calls of one method. */
  ok(method: string): SlackCall[];
  /** The next calls of `method` ("*" for any) fail like this, in order. */
  failNext(method: string, ...failures: SlackFailure[]): void;
  /** Every call for this channel (name or id) fails with channel_not_found. */
  missingChannel(channel: string): void;
  /** The id the stand-in gives a channel name ("#warehouse" → "C…"). */
  channelId(channel: string): string;
  close(): Promise<void>;
}

export interface SlackStandinOptions {
  /** Required bearer token; calls without it get invalid_auth. */
  token?: string;
  now?: () => number;
}

function channelIdOf(channel: string): string {
  if (/^[CDG][A-Z0-9]{6,}$/.test(channel)) return channel;
  let h = 0;
  for (const ch of channel.replace(/^#/, "")) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `C${h.toString(36).toUpperCase().padStart(8, "0")}`;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) params[k] = v;
  for (const k of ["blocks", "attachments", "metadata"]) {
    if (typeof params[k] === "string") params[k] = JSON.parse(params[k] as string);
  }
  return params;
}

export async function startSlackStandin(options: SlackStandinOptions = {}): Promise<SlackStandin> {
  const now = options.now ?? Date.now;
  const calls: SlackCall[] = [];
  const messages = new Map<string, SlackMessage>();
  const failures = new Map<string, SlackFailure[]>();
  const missing = new Set<string>();
  let seq = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const method = (req.url ?? "").replace(/^\/api\//, "").replace(/\?.*$/, "");
    const params = await readBody(req).catch(() => ({}) as Record<string, unknown>);
    const call: SlackCall = {
      method,
      params,
      at: now(),
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      answer: "ok",
    };
    calls.push(call);
    const queue = failures.get(method)?.length ? failures.get(method) : failures.get("*");
    const failure = queue?.shift();
    if (failure && "delayMs" in failure) await new Promise((r) => setTimeout(r, failure.delayMs));
    else if (failure && "status" in failure) {
      call.answer = String(failure.status);
      const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { "retry-after": String(failure.retryAfter) };
      return send(res, failure.status, failure.status === 429 ? { ok: false, error: "ratelimited" } : "upstream trouble", headers);
    } else if (failure && "error" in failure) {
      call.answer = failure.error;
      return send(res, 200, { ok: false, error: failure.error });
    }
    const token = req.headers.authorization?.replace(/^Bearer\s+/i, "") ?? (params.token as string | undefined);
    if (options.token !== undefined && token !== options.token) {
      call.answer = "invalid_auth";
      return send(res, 200, { ok: false, error: "invalid_auth" });
    }
    const channel = String(params.channel ?? "");
    if (!channel || missing.has(channel) || missing.has(channelIdOf(channel))) {
      call.answer = "channel_not_found";
      return send(res, 200, { ok: false, error: "channel_not_found" });
    }
    const id = channelIdOf(channel);
    const text = typeof params.text === "string" ? params.text : "";
    const blocks = Array.isArray(params.blocks) ? params.blocks : undefined;
    if (method === "chat.postMessage") {
      if (!text && !blocks) {
        call.answer = "no_text";
        return send(res, 200, { ok: false, error: "no_text" });
      }
      seq++;
      const ts = `${1_700_000_000 + seq}.${String(seq).padStart(6, "0")}`;
      const threadTs = typeof params.thread_ts === "string" ? params.thread_ts : undefined;
      messages.set(ts, { channel: id, ts, text, blocks, threadTs, updates: 0 });
      call.ts = ts;
      return send(res, 200, {
        ok: true,
        channel: id,
        ts,
        message: { type: "message", text, blocks, ts, ...(threadTs ? { thread_ts: threadTs } : {}) },
      });
    }
    if (method === "chat.update") {
      const ts = String(params.ts ?? "");
      const existing = messages.get(ts);
      if (!existing || existing.channel !== id) {
        call.answer = "message_not_found";
        return send(res, 200, { ok: false, error: "message_not_found" });
      }
      existing.text = text;
      existing.blocks = blocks;
      existing.updates++;
      call.ts = ts;
      return send(res, 200, { ok: true, channel: id, ts, text, message: { type: "message", text, blocks } });
    }
    call.answer = "unknown_method";
    return send(res, 404, { ok: false, error: "unknown_method" });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    messages,
    ok: (method) => calls.filter((c) => c.method === method && c.answer === "ok"),
    failNext(method, ...list) {
      failures.set(method, [...(failures.get(method) ?? []), ...list]);
    },
    missingChannel(channel) {
      missing.add(channel);
    },
    channelId: channelIdOf,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
