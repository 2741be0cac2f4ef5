import type { Settings } from "../config/env.js";
import type { RulesSnapshot } from "../rules/rules-source.js";
import type { PipelineOptions } from "./build-pipeline.js";
import type { EngineStatus } from "./engine.js";

/** Pipeline tuning that can cross to another thread (numbers, no callbacks). */
export type ThreadPipelineOptions = Omit<PipelineOptions, "onDeliveryEvent">;

/** What the engine thread starts from. */
export interface EngineInit {
  dbPath: string;
  settings: Settings;
  options: ThreadPipelineOptions;
  /** How long the pipeline's writes wait for the write lock (the HTTP thread's webhook batches, a CLI command). */
  busyTimeoutMs: number;
  /** How often the engine checkpoints the WAL into the database file. */
  checkpointEveryMs: number;
  logLevel: string;
}

/** HTTP thread → engine thread: the verbs of Engine (engine.ts), by name. */
export type EngineRequest =
  | { type: "noteIngested" }
  | { type: "reportStorageFailure"; message: string }
  | { type: "startServices" }
  | { type: "runUntilIdle"; id: number }
  | { type: "reloadRules" }
  | { type: "wakeDelivery" }
  | { type: "close" };

/** Engine thread → HTTP thread. */
export type EngineReply =
  | { type: "ready"; status: EngineStatus }
  | { type: "failed"; message: string; config: boolean }
  | { type: "idle"; id: number; error?: string }
  | { type: "status"; status: EngineStatus }
  | { type: "started"; status: EngineStatus }
  | { type: "log"; line: string }
  /** After the thread's first load and after every reload: what the HTTP side shows (rules-mirror.ts). */
  | { type: "rules"; rules: RulesSnapshot }
  | { type: "closed" };
