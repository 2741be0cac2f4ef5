import type { Settings } from "./env.js";

/**
 * Settings that start but leave the daemon open in a way the operator may not see: each is one
 * line for the start-up log, saying what to set and why.
 */
export function startupWarnings(settings: Settings): string[] {
  const out: string[] = [];
  if (settings.trustProxy && settings.adminToken === undefined) {
    // Behind a proxy every request arrives from the proxy's own (loopback) address, so the admin
    // rule's "loopback only" would admit the whole internet; what still keeps it out is that the
    // proxy adds X-Forwarded-For to every request, which one missing proxy_set_header undoes.
    out.push(
      "TRUST_PROXY is on but ADMIN_TOKEN is not set: behind a proxy every request arrives from the proxy's loopback address, " +
        "so /api/* and the dashboard are kept from the internet only by the proxy adding X-Forwarded-For to every request; " +
        "set ADMIN_TOKEN (or turn TRUST_PROXY off when there is no proxy)",
    );
  }
  return out;
}
