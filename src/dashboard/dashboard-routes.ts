import express, { type Express, type Request, type RequestHandler } from "express";
import { sameSecret } from "../http/admin-auth.js";
import type { Clock } from "../shared/clock.js";
import { createCsrf } from "./csrf.js";
import type { DashboardData } from "./dashboard-data.js";
import { renderDashboard, renderLogin, renderRefused } from "./render-dashboard.js";
import { mountSilenceForms, silenceNotice } from "./silence-forms.js";

/**
 * The dashboard at `/`: server-rendered HTML, no scripts, behind the same rule as `/api/*`. With
 * ADMIN_TOKEN set, a browser signs in once at /login and carries the token in a strict cookie.
 * Every post is refused when it comes from another site, and a post that changes something also
 * needs the page's CSRF token (see csrf.ts).
 */
export function mountDashboard(
  app: Express,
  guard: RequestHandler,
  deps: { data: () => DashboardData; clock: Clock; adminToken: string | undefined },
): void {
  const html = (res: express.Response, status: number, body: string) =>
    res.status(status).set({ "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'" }).send(body);

  const csrf = createCsrf({ refuse: (res, message) => html(res, 403, renderRefused(message)) });
  const form = express.urlencoded({ extended: false, limit: "4kb" });

  const redirectToLogin: RequestHandler = (req, res, next) => {
    if (deps.adminToken !== undefined && !hasCookieOrBearer(req)) {
      res.redirect(303, "/login");
      return;
    }
    next();
  };

  app.get("/login", (_req, res) => html(res, 200, renderLogin(false)));
  app.post("/login", csrf.sameOrigin, form, (req, res) => {
    const token = typeof req.body?.token === "string" ? req.body.token : "";
    if (deps.adminToken === undefined || !sameSecret(token, deps.adminToken)) {
      html(res, 401, renderLogin(true));
      return;
    }
    res.cookie("stockwatch_token", token, { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure });
    res.redirect(303, "/");
  });

  app.get("/", redirectToLogin, guard, (req, res) => {
    const type = typeof req.query.type === "string" && req.query.type !== "" ? req.query.type : undefined;
    const notice = typeof req.query.retried === "string" ? `Delivery ${req.query.retried} queued again.` : silenceNotice(req.query);
    const csrfToken = csrf.tokenFor(req, res);
    html(res, 200, renderDashboard(deps.data(), deps.clock.now(), { eventType: type, allDeliveries: req.query.deliveries === "all", notice, csrfToken }));
  });

  app.post("/deliveries/:id/retry", csrf.sameOrigin, redirectToLogin, guard, form, csrf.checkToken, (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || !deps.data().retryDelivery(id)) {
      const csrfToken = csrf.tokenFor(req, res);
      html(res, 404, renderDashboard(deps.data(), deps.clock.now(), { notice: `Delivery ${req.params.id} cannot be retried.`, csrfToken }));
      return;
    }
    res.redirect(303, `/?retried=${id}#deliveries`);
  });

  const desk = deps.data().silences;
  if (desk) {
    mountSilenceForms(app, {
      desk,
      clock: deps.clock,
      csrf,
      before: [redirectToLogin, guard],
      form,
      answer: (res, status, notice) => html(res, status, renderDashboard(deps.data(), deps.clock.now(), { notice, csrfToken: csrf.tokenFor(res.req, res) })),
    });
  }
}

function hasCookieOrBearer(req: Request): boolean {
  return Boolean(req.headers.authorization) || /(?:^|;\s*)stockwatch_token=/.test(req.headers.cookie ?? "");
}
