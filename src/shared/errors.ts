/** Turns anything thrown into an Error, so callers can rely on `.message`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : JSON.stringify(value));
}

/** ConfigError is a problem the operator fixes by changing configuration; its message says how. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}
