/** Small, strict readers for query-string values; they throw QueryError with a message for the 400. */
export class QueryError extends Error {}

type Query = Record<string, unknown>;

export function optionalString(query: Query, name: string): string | undefined {
  const v = query[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string") throw new QueryError(`${name} must be given once`);
  return v;
}

export function optionalInt(query: Query, name: string, min: number, max: number): number | undefined {
  const v = optionalString(query, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new QueryError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

