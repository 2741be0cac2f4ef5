import type { Db } from "../db/open-database.js";
import { createForecastReader } from "../forecast/forecast-reader.js";
import { withForecasts } from "../forecast/product-forecast.js";
import type { ApiView } from "./api-routes.js";
import { QueryError } from "./query.js";
import type { Outbox } from "../outbox/create-outbox.js";
import { answerDeliveries } from "../outbox/deliveries-query.js";
import { SqliteAlertStore } from "../store/sqlite/alert-store.js";
import { SqliteAlertActionStore } from "../store/sqlite/alert-action-store.js";
import { createSilenceDesk } from "../silences/silence-desk.js";
import type { Clock } from "../shared/clock.js";
import { SqliteStockReadStore } from "../store/sqlite/stock-read-store.js";
import type { Level } from "../stock/stock-types.js";
import type { RulesView } from "../rules/rules-source.js";

const FORECAST_SLICE = 500;

/**
 * The read side of `/api/products`, `/api/alerts` and `/api/deliveries`, answered on the HTTP
 * thread from its own connection (WAL readers never wait for the engine thread's writes).
 */
export function buildApiViews(deps: { db: Db; rules: RulesView; outbox: Outbox; clock: Clock }): Record<string, ApiView> {
  const { db, rules, outbox, clock } = deps;
  const forecasts = createForecastReader(db);
  const stock = new SqliteStockReadStore(db);
  const alerts = new SqliteAlertStore(db);
  const alertActions = new SqliteAlertActionStore(db);
  const silences = createSilenceDesk(db);
  return {
    "/products": async (q) => {
      const level = q.level;
      if (level !== undefined && level !== "" && level !== "soldOut" && level !== "low" && level !== "ok") {
        throw new QueryError("level must be soldOut, low or ok");
      }
      const limit = q.limit === undefined ? 1000 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new QueryError("limit must be a whole number from 1 to 100000");
      const products = stock.listProducts({ ...(level ? { level: level as Level } : {}), limit });
      // A forecast costs ~30 µs a product: a whole shop's worth is computed in slices, letting the
      // webhooks that arrive meanwhile through (this is the HTTP thread).
      const settings = rules.forecastSettings();
      const now = clock.now();
      const out: object[] = [];
      for (let i = 0; i < products.length; i += FORECAST_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        out.push(...withForecasts(forecasts, products.slice(i, i + FORECAST_SLICE), settings, now));
      }
      return { products: out };
    },
    "/alerts": (q) => {
      const state = q.state;
      if (state !== undefined && state !== "" && state !== "open" && state !== "resolved") {
        throw new QueryError("state must be open or resolved");
      }
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new QueryError("limit must be a whole number from 1 to 1000");
      const page = alerts.list({ state: state === "" ? undefined : (state as "open" | "resolved" | undefined), limit });
      // What was done from Slack (acknowledge, snooze, undo), who and when: one indexed query for the page.
      const actions = alertActions.actionsOf(page.map((a) => a.id));
      return { alerts: page.map((a) => ({ ...a, actions: actions.get(a.id) ?? [] })) };
    },
    // The silences in force; ?all=1 also the ended ones (newest 200).
    "/silences": (q) => ({ silences: q.all === "1" || q.all === "true" ? silences.recent(clock.now(), 200) : silences.active(clock.now()) }),
    "/deliveries": (q) => {
      const answer = answerDeliveries(outbox, q);
      if (answer.status === 400) throw new QueryError(answer.body.error);
      return answer.body;
    },
  };
}

