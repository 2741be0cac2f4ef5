import { Router, type NextFunction, type Request, type Response } from "express";
import type { EventStore } from "../events/event-store.js";
import { withTimeFlag } from "./event-time-flag.js";
import { optionalInt, optionalString, QueryError } from "./query.js";

/**
 * Read-only views other modules contribute to `/api/*`. Each takes the parsed query and returns the
 * JSON body; a QueryError becomes a 400.
 */
/** Answers one GET below /api; may be async (long answers yield to other requests as they go). */
export type ApiView = (query: Record<string, unknown>) => object | Promise<object>;

export interface ApiDeps {
  events: EventStore;
  /** Extra GET routes by path below /api, e.g. { "/products": view }. */
  views?: Record<string, ApiView>;
}

export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get("/events", (req, res) => {
    const q = req.query as Record<string, unknown>;
    const events = deps.events.list({
      event: optionalString(q, "event"),
      eshopId: optionalInt(q, "eshopId", 1, Number.MAX_SAFE_INTEGER),
      before: optionalInt(q, "before", 1, Number.MAX_SAFE_INTEGER),
      limit: optionalInt(q, "limit", 1, 1000) ?? 100,
    });
    res.json({ events: events.map(withTimeFlag) });
  });
  for (const [path, view] of Object.entries(deps.views ?? {})) {
    router.get(path, async (req, res) => {
      res.json(await view(req.query as Record<string, unknown>));
    });
  }
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof QueryError) {
      res.status(400).json({ error: error.message });
      return;
    }
    next(error);
  });
  return router;
}
