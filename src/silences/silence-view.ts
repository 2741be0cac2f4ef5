import type { Silence } from "./silence-match.js";

/** The silence as the CLI, the dashboard and GET /api/silences show it (times as ISO strings). */
export interface SilenceView {
  id: number;
  products: string[];
  rule: string | null;
  eshopId: number | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  endsAt: string;
  expiredAt: string | null;
  active: boolean;
}

export function silenceView(s: Silence, now: number): SilenceView {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: s.id,
    products: [...s.products],
    rule: s.rule,
    eshopId: s.eshopId,
    reason: s.reason,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt),
    endsAt: iso(s.endsAt),
    expiredAt: s.expiredAt === null ? null : iso(s.expiredAt),
    active: now < s.endsAt && s.expiredAt === null,
  };
}
