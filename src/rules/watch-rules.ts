import { watch as fsWatch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { loadRulesFile } from "./load-rules.js";
import type { CompiledRules, RuleError } from "./rules-types.js";

export interface WatchRulesOptions {
  /** Edits within this window are read once (editors write a file in several steps). Default 300 ms. */
  debounceMs?: number;
  /** The rules already running; an unchanged file (same checksum) is not reported again. */
  current?: CompiledRules;
  /**
   * After a refused edit, the file is valid again and the same as the rules in force (the edit was
   * undone): nothing to apply, but the refusal no longer holds.
   */
  onRecovered?: () => void;
  /** The directory watch failed (e.g. the folder was removed); SIGHUP via reload() still works. */
  onWatchError?: (error: Error) => void;
  /** For tests: how to watch a directory. */
  watch?: (dir: string, listener: (event: string, file: string | null) => void) => Pick<FSWatcher, "close">;
}

export interface RulesWatcher {
  /** Re-reads the file now (wire SIGHUP to this). */
  reload(): void;
  /** The last good rules seen (the initial ones until a valid edit arrives). */
  current(): CompiledRules | undefined;
  close(): void;
}

/**
 * Hot reload of the rules file. Watches the file's DIRECTORY (editors and `mv` replace the file,
 * which a watch on the file itself would miss), debounces, and re-validates: a valid new version
 * goes to `onValid`; an invalid one to `onInvalid` with the same errors `rules check` prints,
 * while the last good rules keep running (the caller simply keeps what it has).
 */
export function watchRules(
  path: string,
  onValid: (rules: CompiledRules) => void,
  onInvalid: (errors: RuleError[]) => void,
  options: WatchRulesOptions = {},
): RulesWatcher {
  const file = resolve(path);
  const name = basename(file);
  const debounceMs = options.debounceMs ?? 300;
  let good = options.current;
  let lastBadText: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed) return;
    const result = loadRulesFile(path);
    if (result.ok) {
      const wasBad = lastBadText !== undefined;
      lastBadText = undefined;
      if (good && good.checksum === result.rules.checksum) {
        if (wasBad) options.onRecovered?.();
        return;
      }
      good = result.rules;
      onValid(result.rules);
    } else {
      // The same broken text reported once, not on every save event the editor produces.
      const key = result.errors.map((e) => `${e.line}:${e.col}:${e.message}`).join("\n");
      if (key === lastBadText) return;
      lastBadText = key;
      onInvalid(result.errors);
    }
  };

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref?.();
  };

  const defaultWatch = (dir: string, listener: (event: string, file: string | null) => void) => {
    const w = fsWatch(dir, { persistent: false }, listener);
    // An unhandled "error" event would end the process; losing the watch only loses auto-reload.
    w.on("error", (error) => options.onWatchError?.(error));
    return w;
  };
  const watcher = (options.watch ?? defaultWatch)(
    dirname(file),
    (_event, changed) => {
      if (changed === null || changed === name) schedule();
    },
  );

  return {
    reload,
    current: () => good,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
