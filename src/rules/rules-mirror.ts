import type { RulesSnapshot, RulesView } from "./rules-source.js";

/**
 * The HTTP thread's copy of the rules in force when the engine runs on its own thread. The engine
 * thread reads, parses and compiles the file (at its start, on edits, on SIGHUP) and posts a
 * snapshot after each reload, valid or refused; this thread only swaps the snapshot in. A 1 MB
 * rules file took seconds to parse, and on this thread every webhook waited for it.
 */
export interface RulesMirror extends RulesView {
  update(snapshot: RulesSnapshot): void;
}

/** Starts from the snapshot of the startup load (done here, before listening, to refuse a bad file). */
export function mirrorRules(first: RulesSnapshot): RulesMirror {
  let current = first;
  return {
    status: () => current.status,
    forecastSettings: () => current.forecast,
    update(snapshot) {
      current = snapshot;
    },
  };
}
