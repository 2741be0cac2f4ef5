import { existsSync } from "node:fs";
import { loadRulesFile } from "./load-rules.js";
import { formatRuleError, type CompiledRules, type RuleError } from "./rules-types.js";
import { watchRules, type RulesWatcher } from "./watch-rules.js";
import type { Clock } from "../shared/clock.js";
import { ConfigError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { RulesStatus } from "../dashboard/dashboard-data.js";
import type { ForecastSettings } from "../forecast/forecast-types.js";

/**
 * RulesSource holds the rules in force: loaded at startup (an invalid or missing file stops the
 * daemon with the errors), then hot-reloaded on edits and SIGHUP — a broken edit is refused and
 * logged, and the last good rules keep running.
 */
/**
 * What the HTTP side needs of the rules: the dashboard's status line and the forecast settings of
 * `/api/products`. In production it is a mirror of the engine thread's rules (rules-mirror.ts), so
 * that no reload parses YAML on the thread that answers webhooks.
 */
export interface RulesView {
  status(): RulesStatus;
  forecastSettings(): ForecastSettings;
}

/** A RulesView as plain data, to post from the engine thread (structured-cloneable). */
export interface RulesSnapshot {
  status: RulesStatus;
  forecast: ForecastSettings;
}

export function snapshotRules(view: RulesView): RulesSnapshot {
  return { status: view.status(), forecast: { ...view.forecastSettings() } };
}

export interface RulesSource extends RulesView {
  current(): CompiledRules;
  /** Re-reads the file now (SIGHUP). */
  reload(): void;
  /** Starts watching the file for edits. */
  watch(): void;
  close(): void;
  /** Called after a valid new version is in force. */
  onChange(listener: (rules: CompiledRules) => void): void;
  /** Called after every reload that changed the status: a new version, or an edit refused. */
  onStatus(listener: () => void): void;
}

export function summarizeRules(rules: CompiledRules): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return `${n(rules.channels.size, "channel")}, ${n(rules.rules.length, "rule")}, ${n(rules.digests.length, "digest")}`;
}

export function openRulesSource(path: string, deps: { clock: Clock; logger: Logger }): RulesSource {
  if (!existsSync(path)) {
    throw new ConfigError(`rules file ${path} not found: create it (start from config/rules.yaml in the project) or set STOCKWATCH_RULES`);
  }
  const first = loadRulesFile(path);
  if (!first.ok) {
    throw new ConfigError(
      `rules file ${path} is invalid (the daemon needs a valid one to start); fix these and run \`npx stockwatch rules check\`:\n${first.errors
        .map((e) => formatRuleError(e))
        .join("\n")}`,
    );
  }
  let rules = first.rules;
  let loadedAt = deps.clock.now();
  let lastErrors: string[] = [];
  let watcher: RulesWatcher | undefined;
  const listeners: ((rules: CompiledRules) => void)[] = [];
  const statusListeners: (() => void)[] = [];
  const log = deps.logger.child({ component: "rules" });

  const onValid = (next: CompiledRules) => {
    rules = next;
    loadedAt = deps.clock.now();
    lastErrors = [];
    log.info({ path, summary: summarizeRules(next) }, "rules reloaded");
    for (const l of listeners) l(next);
    for (const l of statusListeners) l();
  };
  // An edit was refused, then undone: the rules in force did not change, but the errors are gone.
  const onRecovered = () => {
    lastErrors = [];
    log.info({ path }, "rules file is valid again, the same as the rules in force");
    for (const l of statusListeners) l();
  };
  const onInvalid = (errors: RuleError[]) => {
    lastErrors = errors.map((e) => formatRuleError(e));
    log.error({ path, errors: lastErrors }, "rules file edit refused; the previous rules keep running");
    for (const l of statusListeners) l();
  };

  const source: RulesSource = {
    current: () => rules,
    status: () => ({ path, loadedAtMs: loadedAt, ok: lastErrors.length === 0, errors: lastErrors, summary: summarizeRules(rules) }),
    forecastSettings: () => rules.forecast.settings,
    reload() {
      if (watcher) watcher.reload();
      else {
        const result = loadRulesFile(path);
        if (result.ok) {
          if (result.rules.checksum !== rules.checksum) onValid(result.rules);
          else if (lastErrors.length) onRecovered();
        } else onInvalid(result.errors);
      }
    },
    watch() {
      watcher ??= watchRules(path, onValid, onInvalid, {
        current: rules,
        onRecovered,
        onWatchError: (error) => log.warn({ err: error.message }, "cannot watch the rules file; send SIGHUP to reload it"),
      });
    },
    close() {
      watcher?.close();
      watcher = undefined;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    onStatus(listener) {
      statusListeners.push(listener);
    },
  };
  return source;
}
