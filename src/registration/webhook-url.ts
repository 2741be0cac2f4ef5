/** The ports Shoptet delivers webhooks to (developers.shoptet.com, "Webhooks"); facts.md §1.1. */
export const SHOPTET_WEBHOOK_PORTS: readonly number[] = [80, 8080, 443, 8443];

/** Shoptet's maxLength for a webhook `url` (POST and PATCH /api/webhooks). */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** Where the daemon receives webhooks. */
export const WEBHOOK_PATH = "/webhooks/shoptet";

export type UrlCheck = { ok: true; url: string; notes: string[] } | { ok: false; error: string };

const PRIVATE_HOST = /^(localhost|.*\.local|.*\.localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|\[f[cd][0-9a-f]*:.*\])$/i;

/**
 * Checks the URL Shoptet should deliver to, before anything is sent to Shoptet: http(s) only, a
 * port Shoptet delivers to (an omitted port is the scheme's default, 80 or 443), at most 2000
 * characters. A URL without a path gets the daemon's `/webhooks/shoptet`. Returns the normalised
 * URL and notes worth showing (plain http, a host Shoptet cannot reach, a path the daemon does not
 * serve itself), or the reason it is refused, phrased as what to change.
 */
export function checkWebhookUrl(text: string): UrlCheck {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, error: `"${trimmed}" is not a URL: write it like https://stock.example.com${WEBHOOK_PATH}` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, error: `Shoptet delivers webhooks over http(s) only, not ${url.protocol.replace(/:$/, "")}: write https://…` };
  }
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  if (!SHOPTET_WEBHOOK_PORTS.includes(port)) {
    return {
      ok: false,
      error:
        `Shoptet delivers webhooks only to ports ${SHOPTET_WEBHOOK_PORTS.join(", ")}, not ${port}: ` +
        `serve stockwatch on one of them (PORT=8080 or 8443), or put a reverse proxy on 443 in front of it`,
    };
  }
  if (url.hash) return { ok: false, error: `remove the "${url.hash}" fragment: Shoptet posts to the URL without it` };
  const notes: string[] = [];
  if (url.pathname === "/" && !url.search) {
    url.pathname = WEBHOOK_PATH;
    notes.push(`no path given: using ${url.href}`);
  } else if (url.pathname !== WEBHOOK_PATH) {
    notes.push(`the daemon receives webhooks at ${WEBHOOK_PATH}: make sure your reverse proxy forwards ${url.pathname} there`);
  }
  if (url.protocol === "http:") notes.push("plain http: webhooks travel unencrypted; prefer https (a reverse proxy with TLS, see README \"Operations\")");
  if (PRIVATE_HOST.test(url.hostname)) notes.push(`${url.hostname} is not reachable from the internet: Shoptet will not be able to deliver there`);
  if (url.username || url.password) notes.push("the URL carries credentials: everyone who can list this installation's webhooks sees them");
  const href = url.href;
  if (href.length > MAX_WEBHOOK_URL_LENGTH) {
    return { ok: false, error: `the URL is ${href.length} characters long; Shoptet accepts at most ${MAX_WEBHOOK_URL_LENGTH}` };
  }
  return { ok: true, url: href, notes };
}

/** The URL as `new URL` writes it (lower-case host, default port dropped), or the text itself. */
export function normaliseUrl(text: string): string {
  try {
    return new URL(text.trim()).href;
  } catch {
    return text.trim();
  }
}

/** Whether two webhook URLs name the same receiver (after normalising). */
export function sameUrl(a: string, b: string): boolean {
  return normaliseUrl(a) === normaliseUrl(b);
}

/** The path of a URL ("" when it does not parse). */
export function pathOf(text: string): string {
  try {
    return new URL(text.trim()).pathname;
  } catch {
    return "";
  }
}
