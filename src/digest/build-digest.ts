import { digestTitle, formatDateTime, formatDay, formatNumber, formatPeriod } from "./digest-format.js";
import type { DigestModel, RenderedDigest } from "./digest-types.js";
import { renderDigestHtml } from "./render-digest-html.js";
import { renderDigestText } from "./render-digest-text.js";
import { headline, sectionViews, summaryLine, type SectionView } from "./section-views.js";

/**
 * Builds a digest from its model: the subject carries the headline ("3 sold out, 7 low — morning
 * digest, 27 Nov", the day the period ends in the digest's timezone), and the text and HTML parts
 * show the same sections in the same order. Pure: the same model always gives the same output.
 */
export function buildDigest(model: DigestModel): RenderedDigest {
  const tz = model.timezone;
  const subject = `${headline(model).join(", ")} — ${digestTitle(model.digest)}, ${formatDay(model.period.to, tz)}`;
  const title = subject;
  const period = `${formatPeriod(model.period, tz)} (${tz})`;
  const scope = scopeText(model);
  const summary = summaryLine(model);
  const sections = sectionViews(model);
  const footer =
    `Sent by stockwatch: digest "${model.digest}", built ${formatDateTime(model.builtAt, tz)} (${tz}). ` +
    "Change what it shows under `digests:` in the rules file.";
  return {
    subject,
    text: renderDigestText({ title, period, scope, summary, sections, footer }),
    html: renderDigestHtml({ title, period, scope, summary, tiles: tiles(model, sections), sections, footer }),
  };
}

function scopeText(model: DigestModel): string | null {
  const parts: string[] = [];
  if (model.scope.eshops?.length) parts.push(`e-shop ${model.scope.eshops.join(", ")}`);
  if (model.scope.products?.length) parts.push(`products ${model.scope.products.join(", ")}`);
  return parts.length ? parts.join("; ") : null;
}

/** The figures at the top of the HTML part, one per headline section. */
function tiles(model: DigestModel, sections: SectionView[]): { label: string; value: string; tone: SectionView["tone"] }[] {
  const tone = (name: string) => sections.find((s) => s.name === name)?.tone ?? "neutral";
  const out: { label: string; value: string; tone: SectionView["tone"] }[] = [];
  if (model.soldOut) out.push({ label: "sold out", value: formatNumber(model.soldOut.count), tone: tone("soldOut") });
  if (model.low) out.push({ label: "low", value: formatNumber(model.low.count), tone: tone("low") });
  if (model.runningOut?.leadTimesConfigured) out.push({ label: "running out", value: formatNumber(model.runningOut.count), tone: tone("runningOut") });
  if (model.backInStock) out.push({ label: "back in stock", value: formatNumber(model.backInStock.count), tone: tone("backInStock") });
  if (model.alerts) out.push({ label: "alerts opened", value: formatNumber(model.alerts.opened), tone: tone("alerts") });
  if (model.events) out.push({ label: "shop events", value: formatNumber(model.events.total), tone: "neutral" });
  if (model.deliveries?.count) out.push({ label: "failed deliveries", value: formatNumber(model.deliveries.count), tone: "bad" });
  return out;
}
