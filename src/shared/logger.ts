import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";

export type { Logger };

/**
 * Paths that may carry secrets. pino replaces them before a line is written, so a token
 * never reaches a log file even when a whole config or request object is logged.
 */
const REDACT = [
  "token",
  "*.token",
  "key",
  "*.key",
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  'req.headers["shoptet-webhook-signature"]',
  "smtpUrl",
  "*.smtpUrl",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { app: "stockwatch" },
    redact: { paths: REDACT, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything: for tests and CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/**
 * Writes a line another thread's logger produced (already JSON, already redacted) to this
 * logger's stream, so every thread's lines share one output; dropped when this logger is silent.
 */
export function writeLogLine(logger: Logger, line: string): void {
  if (!logger.isLevelEnabled("fatal")) return;
  const stream = (logger as unknown as Record<symbol, DestinationStream | undefined>)[pino.symbols.streamSym];
  stream?.write(line);
}
