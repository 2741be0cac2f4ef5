/**
 * Shoptet amounts are decimal strings with three places ("12.000", "-2.500"); some endpoints send
 * plain JSON numbers instead. stockwatch keeps every amount as an integer number of thousandths
 * ("milli"), so thresholds compare exactly and sums never drift.
 */
const DECIMAL = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/;

/** Parses a Shoptet amount (string or number) into thousandths; null for null, empty or garbage. */
export function parseAmountMilli(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1000) : null;
  if (typeof value !== "string") return null;
  const match = DECIMAL.exec(value);
  if (!match) return null;
  const [, sign, whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return null;
  // Integer arithmetic on the digits: "0.1" must be exactly 100, not 100.00000000000001.
  const digits = (fraction + "000").slice(0, 3);
  let milli = Number(whole || "0") * 1000 + Number(digits);
  if (fraction.length > 3 && Number(fraction[3]) >= 5) milli += 1;
  return sign === "-" ? -milli : milli;
}

/** Thousandths as Shoptet writes them ("12.000"), for logs and messages. */
export function formatMilli(milli: number): string {
  const sign = milli < 0 ? "-" : "";
  const abs = Math.abs(milli);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
}
