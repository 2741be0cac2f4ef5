import { createHmac, randomBytes } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { sameSecret } from "../http/admin-auth.js";

/**
 * Cross-site request forgery guard for the dashboard's forms. Without ADMIN_TOKEN the dashboard
 * trusts loopback clients, so any page a local browser opens could otherwise post to it (and with
 * the token set, the cookie is SameSite=Strict, but a sibling subdomain is "same-site"). Two checks,
 * both needed to pass:
 *
 * 1. Where the post comes from: `Sec-Fetch-Site` (sent by every current browser) must be
 *    same-origin (or none: typed by the user); without it, `Origin` must name this host.
 * 2. A per-session token, signed double-submit: a random value plus its HMAC under a key made at
 *    start, in an HttpOnly SameSite=Strict cookie and in a hidden field of every form; the two must
 *    be equal (constant-time) and the signature ours, so a cookie planted by a sibling subdomain
 *    is useless. A restart makes a new key: the next page load hands out a new token.
 */

export const CSRF_COOKIE = "stockwatch_csrf";
export const CSRF_FIELD = "csrf";

export interface Csrf {
  /** The session's token (the cookie's when it is ours, else a new one set as the cookie). */
  tokenFor(req: Request, res: Response): string;
  /** Refuses a post from another site (403), before anything else reads it. */
  sameOrigin: RequestHandler;
  /** Refuses a post whose form token is missing or not the cookie's (403); needs the parsed body. */
  checkToken: RequestHandler;
}

export function createCsrf(options: { key?: Buffer; refuse: (res: Response, message: string) => void }): Csrf {
  const key = options.key ?? randomBytes(32);
  const sign = (nonce: string) => createHmac("sha256", key).update(nonce).digest("base64url");
  const issue = () => {
    const nonce = randomBytes(18).toString("base64url");
    return `${nonce}.${sign(nonce)}`;
  };
  const isOurs = (token: string | undefined): token is string => {
    if (token === undefined) return false;
    const dot = token.indexOf(".");
    return dot > 0 && sameSecret(token.slice(dot + 1), sign(token.slice(0, dot)));
  };

  return {
    tokenFor(req, res) {
      const current = cookieValue(req, CSRF_COOKIE);
      if (isOurs(current)) return current;
      const token = issue();
      res.cookie(CSRF_COOKIE, token, { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure });
      return token;
    },
    sameOrigin(req, res, next) {
      const problem = crossSiteProblem(req);
      if (problem) {
        options.refuse(res, problem);
        return;
      }
      next();
    },
    checkToken(req, res, next) {
      const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      const cookie = cookieValue(req, CSRF_COOKIE);
      if (typeof field !== "string" || field === "" || cookie === undefined || !sameSecret(field, cookie) || !isOurs(cookie)) {
        options.refuse(
          res,
          "Refused: this form's security token is missing or out of date (the page may be from before a restart, or the post did not come from the dashboard). Reload the dashboard and try again.",
        );
        return;
      }
      next();
    },
  };
}

/**
 * Why a request is cross-site, or null when it is not. Sec-Fetch-Site is set by the browser and
 * cannot be forged by a page; it is preferred to Origin, which a reverse proxy's rewritten Host
 * would not match. A client that sends neither (curl, a very old browser) still needs the token.
 */
export function crossSiteProblem(req: Request): string | null {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string") {
    return site === "same-origin" || site === "none"
      ? null
      : `Refused: the browser says this form was posted from another site (Sec-Fetch-Site: ${site}). Use the dashboard's own page.`;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let host: string | null = null;
  try {
    host = origin === "null" ? null : new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== null && host === req.headers.host) return null;
  return `Refused: this form was posted from another site (Origin: ${origin.slice(0, 100)}, this host: ${String(req.headers.host ?? "?").slice(0, 100)}). Use the dashboard's own page; behind a reverse proxy, pass the Host header on (nginx: proxy_set_header Host $host).`;
}

function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
