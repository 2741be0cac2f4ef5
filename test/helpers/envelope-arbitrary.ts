import fc from "fast-check";

const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, "0"));

/** A Shoptet time (`2019-01-08T15:13:39+0100`), sometimes with `Z` or `+01:00`, sometimes on day 29-31 of a short month. */
export const shoptetTime = fc
  .tuple(
    fc.integer({ min: 1970, max: 2100 }),
    two(1, 12),
    two(1, 31),
    two(0, 23),
    two(0, 59),
    two(0, 59),
    fc.constantFrom("Z", "+0100", "+02:00", "-0530", "+0000"),
  )
  .map(([y, mo, d, h, mi, s, off]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${off}`);

/** A body that passes webhookEnvelope (except when its day does not exist in its month). */
export const validEnvelope = fc.record(
  {
    eshopId: fc.integer({ min: 1, max: 2 ** 31 }),
    event: fc.constantFrom("stock:inStock", "stock:soldOut", "stock:movement", "order:create", "product:update", "x:y"),
    eventCreated: shoptetTime,
    eventInstance: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()),
    payload: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })),
  },
  { requiredKeys: ["eshopId", "event", "eventCreated", "eventInstance"] },
);

/** Bytes a webhook might carry: a valid envelope about half the time, else arbitrary JSON or bytes. */
export const webhookBody = fc.oneof(
  { weight: 2, arbitrary: validEnvelope.map((e) => Buffer.from(JSON.stringify(e))) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "null")) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
);
