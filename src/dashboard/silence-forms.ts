import type { Express, RequestHandler, Response } from "express";
import type { Clock } from "../shared/clock.js";
import type { SilenceDesk } from "../silences/silence-desk.js";
import type { Csrf } from "./csrf.js";
import { productsOfField } from "./silence-section.js";

/**
 * The dashboard's silence forms: POST /silences adds one, POST /silences/:id/expire ends one. Like
 * the retry form, each is refused from another site before anything reads it, then needs the
 * admin rule and the page's CSRF token; bad input is answered with the dashboard and what to fix,
 * and changes nothing.
 */
export function mountSilenceForms(
  app: Express,
  deps: {
    desk: SilenceDesk;
    clock: Clock;
    csrf: Csrf;
    /** The chain before the form is parsed: login redirect and the admin guard. */
    before: RequestHandler[];
    form: RequestHandler;
    /** Answers with the dashboard and a notice (bad input, unknown id). */
    answer: (res: Response, status: number, notice: string) => void;
  },
): void {
  const { desk, clock, csrf } = deps;
  const field = (body: unknown, name: string): string | undefined => {
    const value = (body as Record<string, unknown> | undefined)?.[name];
    return typeof value === "string" ? value : undefined;
  };

  app.post("/silences", csrf.sameOrigin, ...deps.before, deps.form, csrf.checkToken, (req, res) => {
    const result = desk.add(
      {
        products: productsOfField(field(req.body, "products")),
        rule: field(req.body, "rule"),
        for: field(req.body, "for"),
        reason: field(req.body, "reason"),
        eshop: field(req.body, "eshop"),
      },
      clock.now(),
      "dashboard",
    );
    if (!result.ok) {
      // The form's names are the CLI's options without the dashes.
      deps.answer(res, 400, `Silence not added: ${result.message.replace(/--(products|for|reason|rule|eshop)\b/g, "$1")}`);
      return;
    }
    res.redirect(303, `/?silenced=${result.silence.id}#silences`);
  });

  app.post("/silences/:id/expire", csrf.sameOrigin, ...deps.before, deps.form, csrf.checkToken, (req, res) => {
    const raw = String(req.params.id ?? "");
    const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
    const result = id === null ? "unknown" : desk.expire(id, clock.now());
    if (result === "unknown") {
      deps.answer(res, 404, `There is no silence ${raw.slice(0, 20)}.`);
      return;
    }
    res.redirect(303, `/?${result === "expired" ? "unsilenced" : "silenceover"}=${id}#silences`);
  });
}

/** The notice after a silence form, from the redirect's query; undefined when there is none. */
export function silenceNotice(query: Record<string, unknown>): string | undefined {
  const id = (name: string) => (typeof query[name] === "string" && /^\d{1,16}$/.test(query[name] as string) ? (query[name] as string) : undefined);
  if (id("silenced")) return `Silence ${id("silenced")} added.`;
  if (id("unsilenced")) return `Silence ${id("unsilenced")} expired: its alerts that still hold are sent within the next reminder round.`;
  if (id("silenceover")) return `Silence ${id("silenceover")} had already ended.`;
  return undefined;
}
