import type { Settings } from "../config/env.js";
import type { RecoveryStore } from "./recovery-store.js";

/**
 * The e-shops recovery covers: each with its own `SHOPTET_API_TOKEN_<id>`, and — for the shared
 * `SHOPTET_API_TOKEN` — every e-shop named by stored events or an earlier pass. A fresh database
 * with only the shared token asks Shoptet which e-shop the token belongs to.
 */
export async function eshopsToRecover(
  settings: Pick<Settings, "apiToken" | "apiTokens">,
  repo: Pick<RecoveryStore, "knownEshops">,
  api: { hasToken(eshopId: number): boolean; eshopInfo(eshopId: number): Promise<{ eshopId: number }> },
): Promise<number[]> {
  const ids = new Set<number>(settings.apiTokens.keys());
  if (settings.apiToken) {
    for (const id of repo.knownEshops()) ids.add(id);
    if (ids.size === 0) ids.add((await api.eshopInfo(0)).eshopId);
  }
  return [...ids].filter((id) => api.hasToken(id)).sort((a, b) => a - b);
}

/** The operator's fix when there is no token to read Shoptet's log with. */
export function noTokenMessage(eshopId?: number): string {
  return eshopId === undefined
    ? "no Shoptet API token is configured, so the notification log cannot be read: set SHOPTET_API_TOKEN_<eshopId> (or SHOPTET_API_TOKEN) to the e-shop's private API token"
    : `no Shoptet API token for e-shop ${eshopId}: set SHOPTET_API_TOKEN_${eshopId} (or SHOPTET_API_TOKEN) to its private API token`;
}
