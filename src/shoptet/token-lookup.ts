import type { Settings } from "../config/env.js";

/**
 * The token for an e-shop: `SHOPTET_API_TOKEN_<eshopId>` when set, else `SHOPTET_API_TOKEN`.
 * Undefined means "no API": the stock worker then trusts the beta stock events as they come.
 */
export function tokenLookup(settings: Pick<Settings, "apiToken" | "apiTokens">): (eshopId: number) => string | undefined {
  return (eshopId) => settings.apiTokens.get(eshopId) ?? settings.apiToken;
}
