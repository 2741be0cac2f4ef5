import type { Settings } from "../../config/env.js";

/** Which API token a webhooks command uses, and for which e-shop. */
export interface WebhooksTarget {
  /** Null when the default token does not say (learned from GET /api/eshop when it can be). */
  eshopId: number | null;
  token: string;
  variable: string;
}

/**
 * Picks the API token: `--eshop <id>` → SHOPTET_API_TOKEN_<id> (or the default); otherwise the
 * default SHOPTET_API_TOKEN, or the only per-e-shop token. Errors name the variable to set.
 */
export function resolveTarget(settings: Pick<Settings, "apiToken" | "apiTokens">, eshop: number | undefined): WebhooksTarget | { error: string } {
  if (eshop !== undefined) {
    const own = settings.apiTokens.get(eshop);
    if (own) return { eshopId: eshop, token: own, variable: `SHOPTET_API_TOKEN_${eshop}` };
    if (settings.apiToken) return { eshopId: eshop, token: settings.apiToken, variable: "SHOPTET_API_TOKEN" };
    return { error: `no Shoptet API token for e-shop ${eshop}: set SHOPTET_API_TOKEN_${eshop} (or SHOPTET_API_TOKEN) to a private API token of that e-shop` };
  }
  if (settings.apiToken) return { eshopId: null, token: settings.apiToken, variable: "SHOPTET_API_TOKEN" };
  const ids = [...settings.apiTokens.keys()].sort((a, b) => a - b);
  if (ids.length === 1) {
    const id = ids[0]!;
    return { eshopId: id, token: settings.apiTokens.get(id)!, variable: `SHOPTET_API_TOKEN_${id}` };
  }
  if (ids.length > 1) {
    return { error: `several e-shops have API tokens (${ids.map((id) => `SHOPTET_API_TOKEN_${id}`).join(", ")}): pass --eshop <id> to choose one` };
  }
  return {
    error:
      "managing webhooks needs a Shoptet private API token: set SHOPTET_API_TOKEN (or SHOPTET_API_TOKEN_<eshopId>) " +
      "to a token from the e-shop admin (Connections → Private API) with access to webhooks",
  };
}
