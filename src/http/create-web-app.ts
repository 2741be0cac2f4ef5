import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../shared/logger.js";
import type { Metrics } from "../metrics/metrics.js";
import { adminAuth } from "./admin-auth.js";
import { apiRouter, type ApiDeps } from "./api-routes.js";

export interface WebAppDeps {
  api: ApiDeps;
  adminToken: string | undefined;
  trustProxy: boolean;
  metrics: Metrics;
  logger: Logger;
  /** Health of the parts the daemon needs; the route answers 503 if any is false. */
  health: () => Record<string, boolean | string>;
  /** Whether webhooks can be stored now (GET /readyz); answers at once, never waits for a lock. */
  ready: () => Record<string, boolean | string>;
  /** Routes Slack or another service calls with its own proof (a signature), not the admin token. */
  publicRoutes?: (app: Express) => void;
  /** Extra routers mounted behind the admin rule (the dashboard). */
  adminRoutes?: (app: Express, guard: ReturnType<typeof adminAuth>) => void;
}

/** Everything except the webhook hot path: health, metrics, the admin API. */
export function createWebApp(deps: WebAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", deps.trustProxy);
  app.set("query parser", "simple");

  const answerChecks = (checks: Record<string, boolean | string>, res: Response) => {
    const ok = Object.values(checks).every((v) => v === true);
    res.status(ok ? 200 : 503).json({ ok, checks });
  };
  app.get("/healthz", (_req, res) => answerChecks(deps.health(), res));
  app.get("/readyz", (_req, res) => answerChecks(deps.ready(), res));

  app.get("/metrics", async (_req, res) => {
    res.set("content-type", deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  app.all("/webhooks/shoptet", (_req, res) => {
    res.status(405).set("allow", "POST").json({ error: "use POST" });
  });

  deps.publicRoutes?.(app);
  const guard = adminAuth(deps.adminToken);
  app.use("/api", guard, apiRouter(deps.api));
  deps.adminRoutes?.(app, guard);

  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger.error({ err: error }, "request failed");
    res.status(500).json({ error: "internal error; see the daemon log" });
  });
  return app;
}
