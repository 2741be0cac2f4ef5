import { InvalidArgumentError } from "commander";
import { parseDuration } from "../shared/duration.js";

/**
 * Parsers for option values, for commander's `.option(flags, description, parser)`. A value they
 * refuse is a usage error (exit 2); the message follows the flag's name, e.g.
 * `--since takes a duration like 30m, 24h or 7d, got "soon"`.
 */

/** A duration (`30m`, `24h`, `7d`) in ms, greater than zero; `examples` names a few in the message. */
export function durationValue(examples: string, minimumMs = 1): (text: string) => number {
  return (text) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < minimumMs) throw new InvalidArgumentError(`takes a duration like ${examples}, got "${text}"`);
    return ms;
  };
}

/** An e-shop id (a positive number). */
export function eshopIdValue(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new InvalidArgumentError(`takes an e-shop id (a number), got "${text}"`);
  return Number(text);
}

/** E-shop ids, for a repeatable `--eshop ID`: each adds one. */
export function eshopIdsValue(text: string, previous: number[] = []): number[] {
  return [...previous, eshopIdValue(text)];
}

/** An integer from `min` to `max`. */
export function integerValue(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new InvalidArgumentError(`takes a number from ${min} to ${max}, got "${text}"`);
    return n;
  };
}

/** One of `choices`. */
export function choiceValue<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    const found = choices.find((c) => c === text);
    if (found === undefined) throw new InvalidArgumentError(`takes one of ${choices.join(", ")}; got "${text}"`);
    return found;
  };
}
