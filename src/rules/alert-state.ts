/**
 * The lifecycle of one stock alert (one rule × one product) as a pure state machine. No clock, no
 * database: the caller passes what it observed and the time, and gets the next state and at most
 * one transition. Tests are plain tables.
 *
 *   (none) --holds, not suppressed--> open ──holds, repeat elapsed, not suppressed──> remind
 *                                      │
 *                                      └──neither holds nor inside the hysteresis band──> resolve
 */
export type Transition = "open" | "remind" | "resolve" | "none";

export interface AlertState {
  openedAt: number;
  /** When the last open/remind message was decided; reminders count from here. */
  lastNotifiedAt: number;
  reminders: number;
  /** True while a sold-out alert for the same product silences this one. */
  suppressed: boolean;
}

export interface Observation {
  /** The rule's condition is true now. */
  holds: boolean;
  /** The condition is false but the value is still inside the hysteresis band (clearAbove/clearBelow). */
  withinHysteresis: boolean;
  /** Another alert (sold out) speaks for this product; open or remind nothing. */
  suppressed: boolean;
}

export interface AlertRuleTiming {
  /** Remind every this many ms while the alert holds; null = never. */
  repeatMs: number | null;
}

export interface NextAlertState {
  /** The state after this observation; null when no alert is open. */
  state: AlertState | null;
  transition: Transition;
}

export function nextAlertState(
  previous: AlertState | null,
  observation: Observation,
  rule: AlertRuleTiming,
  now: number,
): NextAlertState {
  if (previous === null) {
    if (observation.holds && !observation.suppressed) {
      return { state: { openedAt: now, lastNotifiedAt: now, reminders: 0, suppressed: false }, transition: "open" };
    }
    return { state: null, transition: "none" };
  }
  if (!observation.holds && !observation.withinHysteresis) return { state: null, transition: "resolve" };
  if (observation.suppressed) {
    return { state: previous.suppressed ? previous : { ...previous, suppressed: true }, transition: "none" };
  }
  const base = previous.suppressed ? { ...previous, suppressed: false } : previous;
  if (rule.repeatMs !== null && now - previous.lastNotifiedAt >= rule.repeatMs) {
    return { state: { ...base, lastNotifiedAt: now, reminders: previous.reminders + 1 }, transition: "remind" };
  }
  return { state: base, transition: "none" };
}
