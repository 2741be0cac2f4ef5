import { describe, expect, it } from "vitest";
import { nextAlertState, type AlertState, type Transition } from "../../../src/rules/alert-state.js";

const H = 3_600_000;
const open = (over: Partial<AlertState> = {}): AlertState => ({ openedAt: 0, lastNotifiedAt: 0, reminders: 0, suppressed: false, ...over });
const obs = (holds: boolean, withinHysteresis = false, suppressed = false) => ({ holds, withinHysteresis, suppressed });

describe("nextAlertState", () => {
  const table: [string, AlertState | null, ReturnType<typeof obs>, number | null, number, Transition, AlertState | null][] = [
    // name, previous, observation, repeat, now, transition, next state
    ["nothing open, condition false", null, obs(false), null, 10, "none", null],
    ["opens when the condition becomes true", null, obs(true), null, 10, "open", open({ openedAt: 10, lastNotifiedAt: 10 })],
    ["does not open while suppressed by sold out", null, obs(true, false, true), null, 10, "none", null],
    ["stays open, no repeat", open(), obs(true), null, 100 * H, "none", open()],
    ["no reminder before repeat elapses", open(), obs(true), 12 * H, 12 * H - 1, "none", open()],
    ["reminds when repeat elapses", open(), obs(true), 12 * H, 12 * H, "remind", open({ lastNotifiedAt: 12 * H, reminders: 1 })],
    ["second reminder counts from the first", open({ lastNotifiedAt: 12 * H, reminders: 1 }), obs(true), 12 * H, 24 * H, "remind", open({ lastNotifiedAt: 24 * H, reminders: 2 })],
    ["resolves when the condition stops holding", open(), obs(false), null, 5, "resolve", null],
    ["hysteresis: false but inside the band stays open", open(), obs(false, true), null, 5, "none", open()],
    ["hysteresis band still reminds", open(), obs(false, true), H, H, "remind", open({ lastNotifiedAt: H, reminders: 1 })],
    ["suppressed: stays open silently, no reminder", open(), obs(true, false, true), H, 5 * H, "none", open({ suppressed: true })],
    ["suppressed alert still resolves", open({ suppressed: true }), obs(false, false, true), H, 5 * H, "resolve", null],
    ["end of suppression: catches up with one reminder", open({ suppressed: true }), obs(true), H, 5 * H, "remind", open({ lastNotifiedAt: 5 * H, reminders: 1 })],
    ["end of suppression, repeat not due", open({ suppressed: true }), obs(true), null, 5 * H, "none", open()],
  ];
  it.each(table)("%s", (_name, previous, observation, repeatMs, now, transition, state) => {
    expect(nextAlertState(previous, observation, { repeatMs }, now)).toEqual({ transition, state });
  });
});
