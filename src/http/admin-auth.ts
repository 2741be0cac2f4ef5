import { timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/** Constant-time comparison of two secrets. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads the admin token from `Authorization: Bearer …` or the dashboard's cookie. */
export function presentedToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  const cookie = req.headers.cookie;
  const match = cookie ? /(?:^|;\s*)stockwatch_token=([^;]+)/.exec(cookie) : null;
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    // A cookie that is not valid percent-encoding (`stockwatch_token=%`) is a wrong token: 401, not 500.
    return undefined;
  }
}

/**
 * The admin rule of the contract: with ADMIN_TOKEN set, `/api/*` and the dashboard need it as a
 * bearer token; without it, they answer only to loopback clients that did not come through a proxy.
 */
export function adminAuth(adminToken: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (adminToken !== undefined) {
      const token = presentedToken(req);
      if (token !== undefined && sameSecret(token, adminToken)) return next();
      res
        .status(401)
        .set("www-authenticate", 'Bearer realm="stockwatch"')
        .json({ error: "send the ADMIN_TOKEN as 'Authorization: Bearer <token>'" });
      return;
    }
    const proxied = req.headers["x-forwarded-for"] !== undefined;
    if (isLoopback(req.socket.remoteAddress) && !proxied) return next();
    res.status(403).json({ error: "ADMIN_TOKEN is not set, so the admin API answers only on loopback; set ADMIN_TOKEN" });
  };
}
