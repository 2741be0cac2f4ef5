import type { Settings } from "./config/env.js";

/** The per-e-shop value if one is set, else the default (API tokens: src/shoptet/token-lookup.ts). */
export function perEshopLookup(fallback: string | undefined, overrides: ReadonlyMap<number, string>) {
  return (eshopId: number | undefined): string | undefined =>
    (eshopId !== undefined ? overrides.get(eshopId) : undefined) ?? fallback;
}

export function webhookKeyFor(settings: Settings) {
  return perEshopLookup(settings.webhookKey, settings.webhookKeys);
}
