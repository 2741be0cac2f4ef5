import type { IncomingMessage } from "node:http";
import type { Request, Response } from "express";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { ActionOutcome } from "./act-on-alerts.js";
import { parseInteraction, type SlackAction } from "./interaction-payload.js";
import { verifySlackRequest } from "./verify-slack-request.js";

export const SLACK_INTERACTIONS_PATH = "/slack/interactions";

/** Largest interaction body read; Slack's block_actions payloads are a few kB. */
export const SLACK_BODY_LIMIT = 64 * 1024;

export interface SlackInteractionsDeps {
  /** SLACK_SIGNING_SECRET; undefined: the route answers 503 saying what to set. */
  signingSecret: string | undefined;
  clock: Clock;
  logger: Logger;
  /** Does the click's work (one short transaction); null when the database stayed busy. */
  act: (action: SlackAction) => Promise<ActionOutcome | null>;
  /** After a click changed something: the delivery worker sends the message updates now. */
  wake: () => void;
  bodyLimit?: number;
}

const ephemeral = (res: Response, text: string) => res.status(200).json({ response_type: "ephemeral", replace_original: false, text });

/** Reads the body as bytes, up to `limit`; null when it is longer. */
async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * POST /slack/interactions: Slack's block_actions for the Acknowledge / Snooze / Undo buttons.
 * Not behind the admin token (Slack calls it) but behind Slack's request signature, checked on
 * the raw bytes before anything is parsed. The work is one short transaction, done before the
 * answer (well inside Slack's 3 s), so the answer can tell the user what happened.
 */
export function slackInteractionsHandler(deps: SlackInteractionsDeps) {
  const limit = deps.bodyLimit ?? SLACK_BODY_LIMIT;
  return async (req: Request, res: Response): Promise<void> => {
    if (deps.signingSecret === undefined) {
      res.status(503).json({
        error: "Slack actions are off: set SLACK_SIGNING_SECRET to the Slack app's signing secret (Basic Information → App Credentials) and restart stockwatch",
      });
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    const raw = declared > limit ? null : await readRaw(req, limit);
    if (raw === null) {
      res.status(413).set("connection", "close").json({ error: `the body is larger than ${limit} bytes; Slack interactions are a few kB` });
      return;
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const verified = verifySlackRequest({
      signingSecret: deps.signingSecret,
      rawBody: raw,
      signature: header("x-slack-signature"),
      timestamp: header("x-slack-request-timestamp"),
      now: deps.clock.now(),
    });
    if (!verified.ok) {
      deps.logger.warn({ reason: verified.reason }, "refused a Slack interaction");
      res.status(401).json({ error: verified.reason });
      return;
    }
    const type = header("content-type") ?? "";
    if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      res.status(400).json({ error: `expected application/x-www-form-urlencoded (form field payload), got ${JSON.stringify(type)}` });
      return;
    }
    const parsed = parseInteraction(new URLSearchParams(raw.toString("utf8")).get("payload") ?? undefined);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.error });
      return;
    }
    const { action } = parsed;
    const outcome = await deps.act(action);
    if (outcome === null) {
      ephemeral(res, "stockwatch is busy writing right now and did not record your click: please click again in a moment.");
      return;
    }
    deps.logger.info(
      { action: action.action, user: action.user.id, channel: action.channelId, ts: action.messageTs, status: outcome.status, alerts: outcome.changed },
      "Slack action",
    );
    ephemeral(res, outcome.text);
    if (outcome.changed.length) deps.wake();
  };
}
