import type { Destination, MessageBody, NewOutboxMessage } from "./outbox-types.js";

/** Pure rules about outbox messages: their lane, their one-line summary, what a valid one needs. */

/** Deliveries in one lane go one at a time: per Slack channel (paced), per email channel name. */
export function laneOf(channel: string, destination: Destination): string {
  return destination.type === "slack" ? `slack:${destination.channel}` : `email:${channel}`;
}

export function summaryOf(body: MessageBody): string {
  return body.kind === "alert" ? body.summary : body.subject;
}

export function checkMessage(msg: NewOutboxMessage): void {
  const d = msg.destination;
  const ok =
    typeof msg.dedupeKey === "string" &&
    msg.dedupeKey !== "" &&
    typeof msg.channel === "string" &&
    msg.channel !== "" &&
    Number.isFinite(msg.notBefore) &&
    ((d?.type === "slack" && typeof d.channel === "string" && d.channel !== "") ||
      (d?.type === "email" && Array.isArray(d.to) && d.to.length > 0));
  if (!ok) throw new TypeError(`invalid outbox message ${JSON.stringify(msg.dedupeKey)}: needs dedupeKey, channel, notBefore and a slack channel or email recipients`);
}
