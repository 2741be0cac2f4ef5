import type { Settings } from "../config/env.js";

/** The per-e-shop value if one is set, else the default. */
export function perEshopLookup(fallback: string | undefined, overrides: ReadonlyMap<number, string>) {
  return (eshopId: number | undefined): string | undefined =>
    (eshopId !== undefined ? overrides.get(eshopId) : undefined) ?? fallback;
}

/**
 * The API token for an e-shop: `SHOPTET_API_TOKEN_<eshopId>` when set, else `SHOPTET_API_TOKEN`.
 * Undefined means "no API": the stock worker then trusts the beta stock events as they come.
 */
export function tokenLookup(settings: Pick<Settings, "apiToken" | "apiTokens">): (eshopId: number) => string | undefined {
  return perEshopLookup(settings.apiToken, settings.apiTokens);
}

/** The key that signs an e-shop's webhooks: `SHOPTET_WEBHOOK_KEY_<eshopId>` when set, else `SHOPTET_WEBHOOK_KEY`. */
export function webhookKeyFor(settings: Pick<Settings, "webhookKey" | "webhookKeys">): (eshopId: number | undefined) => string | undefined {
  return perEshopLookup(settings.webhookKey, settings.webhookKeys);
}
