import { validateDetailed } from "node-cron";
import { z } from "zod";
import { SALE_SOURCES } from "../forecast/forecast-types.js";
import { parseDuration } from "../shared/duration.js";
import { compileGlobList } from "./glob.js";
import { parseTimeOfDay } from "./quiet-hours.js";
import { DIGEST_SECTIONS, LEVELS, RULE_LIMITS, SEVERITIES, WEEKDAYS } from "./rule-defaults.js";
import { isValidTimeZone } from "./zoned-time.js";

/**
 * The shape of a rules file, strict: an unknown key anywhere is an error. Field-level checks
 * (durations, globs, cron, times, timezone) live here so zod reports every one of them at its own
 * path; checks across fields and sections (names, references, rule kinds) are in check-rules.ts.
 * Defaults are applied by the compiler from rule-defaults.ts, not here, so the parsed value still
 * says what the person wrote.
 */

/**
 * Patterns and descriptions for the JSON Schema of the rules file (`stockwatch rules schema`), so
 * editors can complete and check it. They describe what the checks below accept (the unit tests
 * hold each pattern against the parser it mirrors); they add no check of their own.
 */
export const FORMATS = {
  duration: {
    pattern: "^\\s*\\d+(\\.\\d+)?(ms|s|m|h|d)\\s*$",
    description: "a duration: a number and a unit (ms, s, m, h or d), e.g. 30s, 5m, 12h, 7d",
  },
  timeOfDay: { pattern: "^([01]\\d|2[0-3]):([0-5]\\d)$", description: 'a 24-hour time "HH:MM", e.g. "22:00"' },
  cron: {
    pattern: "^\\s*\\S+(\\s+\\S+){4,5}\\s*$",
    description:
      'a cron expression in the file\'s timezone: [second] minute hour day-of-month month day-of-week, e.g. "0 7 * * 1-5" (07:00 on weekdays)',
  },
  email: { pattern: "^[^\\s@]+@[^\\s@]+$", description: "an e-mail address" },
} as const;

const described = (format: keyof typeof FORMATS, hint?: string) => ({
  pattern: FORMATS[format].pattern,
  description: hint ? `${FORMATS[format].description} — ${hint}` : FORMATS[format].description,
});

const listOf = <T extends z.ZodType>(item: T, what: string) =>
  z.union([item, z.array(item)], { error: `expected ${what}, or a list of them` });

const duration = (hint: string) =>
  z
    .string({ error: `expected a duration like 30s, 5m, 12h or 7d (${hint})` })
    .superRefine((text, ctx) => {
      if (parseDuration(text) === undefined) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a duration; write a number and a unit: 30s, 5m, 12h, 7d` });
      }
    })
    .meta(described("duration", hint));

const glob = z
  .string({ error: "expected a glob pattern in quotes, e.g. \"KAV-*\"" })
  .superRefine((text, ctx) => {
    const result = compileGlobList([text]);
    if (!result.ok) ctx.addIssue({ code: "custom", message: result.errors[0]!.message });
  })
  .meta({ description: 'a glob: * any run of characters, ? one, [abc] one of them, a leading ! excludes; e.g. "KAV-*"' });

const timeOfDay = z
  .string({ error: 'expected a time "HH:MM" in quotes, e.g. "22:00"' })
  .superRefine((text, ctx) => {
    if (parseTimeOfDay(text) === undefined) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not a time; write 24-hour "HH:MM" in quotes, e.g. "06:00"` });
    }
  })
  .meta(described("timeOfDay"));

const eshopId = z.number({ error: "expected an e-shop id (a number, e.g. 222651)" }).int().positive();

const quietPeriod = z
  .object({
    from: timeOfDay,
    to: timeOfDay,
    days: z.array(z.enum(WEEKDAYS, { error: `expected a weekday: ${WEEKDAYS.join(", ")}` })).min(1).optional(),
  })
  .strict();

const quietHours = z.union([quietPeriod, z.array(quietPeriod).min(1)], {
  error: 'expected {from: "22:00", to: "06:00", days: [...]} or a list of them',
});

const slackChannel = z
  .object({
    type: z.literal("slack"),
    channel: z.string({ error: 'expected a Slack channel name or id, e.g. "#warehouse"' }).min(1),
    quietHours: quietHours.optional(),
  })
  .strict();

const email = z
  .string()
  .superRefine((text, ctx) => {
    if (!/^[^\s@]+@[^\s@]+$/.test(text)) ctx.addIssue({ code: "custom", message: `"${text}" is not an e-mail address` });
  })
  .meta(described("email"));

const emailChannel = z
  .object({
    type: z.literal("email"),
    to: listOf(email, "an e-mail address"),
    quietHours: quietHours.optional(),
  })
  .strict();

export const channelSchema = z.discriminatedUnion("type", [slackChannel, emailChannel]);

const quantity = z
  .object({
    below: z.number({ error: "expected a number" }).optional(),
    atOrBelow: z.number({ error: "expected a number" }).optional(),
    above: z.number({ error: "expected a number" }).optional(),
  })
  .strict();

const DAY_MS = 86_400_000;

/** A forecast window: whole days, within the limits. */
const forecastWindow = z
  .string({ error: "expected a number of days like 28d (days of sales history)" })
  .superRefine((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not a duration; write whole days, e.g. 28d` });
    } else if (ms % DAY_MS !== 0) {
      ctx.addIssue({ code: "custom", message: `${text} is not a whole number of days; sales are counted per day, write e.g. 28d` });
    } else if (ms / DAY_MS < RULE_LIMITS.minForecastWindowDays || ms / DAY_MS > RULE_LIMITS.maxForecastWindowDays) {
      ctx.addIssue({
        code: "custom",
        message: `${text} is outside ${RULE_LIMITS.minForecastWindowDays}d…${RULE_LIMITS.maxForecastWindowDays}d; a forecast needs at least a week of history`,
      });
    }
  })
  .meta(
    described(
      "duration",
      `days of sales history, whole days from ${RULE_LIMITS.minForecastWindowDays}d to ${RULE_LIMITS.maxForecastWindowDays}d, e.g. 28d`,
    ),
  );

const days = (what: string) => z.number({ error: `expected a number of days (${what}), e.g. 7` }).nonnegative({ error: "expected 0 or more days" });
const minSales = z.number({ error: "expected a number of units sold in the window, e.g. 5" }).nonnegative({ error: "expected 0 or more units" });

export const daysOfCoverSchema = z
  .object({
    below: days("alert when the stock lasts fewer days than this").optional(),
    belowLeadTime: z.boolean({ error: "expected true (alert when the stock lasts less than the product's lead time)" }).optional(),
    safety: duration("days added to the lead time").optional(),
    clearAbove: days("resolve only when the cover rises above this").optional(),
    clearMargin: duration("resolve only when the cover rises this far above lead time + safety").optional(),
    window: forecastWindow.optional(),
    minSales: minSales.optional(),
  })
  .strict();

export const whenSchema = z
  .object({
    level: z.enum(LEVELS, { error: `expected one of ${LEVELS.join(", ")}` }).optional(),
    quantity: quantity.optional(),
    daysOfCover: daysOfCoverSchema.optional(),
    products: listOf(glob, "a product code glob").optional(),
    stocks: z.array(z.union([z.number().int(), z.string().min(1)], { error: "expected a warehouse (stock) id" }), {
      error: "expected a list of warehouse (stock) ids, e.g. [1, 3]",
    }).min(1).optional(),
    event: listOf(glob, "an event type or glob").optional(),
    instances: listOf(glob, "an event instance glob").optional(),
    eshops: listOf(eshopId, "an e-shop id").optional(),
  })
  .strict();

export const ruleSchema = z
  .object({
    name: z.string({ error: "expected a rule name" }),
    description: z.string().optional(),
    when: whenSchema,
    notify: listOf(z.string(), "a channel name"),
    severity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(", ")}` }).optional(),
    repeat: duration("how often to remind while the alert holds").superRefine((text, ctx) => {
      const ms = parseDuration(text);
      if (ms !== undefined && ms < RULE_LIMITS.minRepeatMs) {
        ctx.addIssue({ code: "custom", message: `${text} is too often; remind at most every 1m (e.g. 1h, 12h)` });
      }
    }).optional(),
    resolve: z.boolean({ error: "expected true or false" }).optional(),
    clearAbove: z.number({ error: "expected a quantity (number)" }).optional(),
    clearBelow: z.number({ error: "expected a quantity (number)" }).optional(),
    group: duration("window that merges alerts into one message; 0s for none").superRefine((text, ctx) => {
      const ms = parseDuration(text);
      if (ms !== undefined && ms > RULE_LIMITS.maxGroupMs) {
        ctx.addIssue({ code: "custom", message: `${text} would hold the first alert back too long; use at most 1h` });
      }
    }).optional(),
    cooldown: duration("quiet time per subject after a message").optional(),
    suppressWhenSoldOut: z.boolean({ error: "expected true or false" }).optional(),
  })
  .strict();

export const digestSchema = z
  .object({
    name: z.string({ error: "expected a digest name" }),
    schedule: z.string({ error: 'expected a cron expression in quotes, e.g. "0 7 * * 1-5"' }).superRefine((text, ctx) => {
      const result = validateDetailed(text);
      if (!result.valid) {
        const why = result.errors.map((e) => e.message).join("; ");
        ctx.addIssue({ code: "custom", message: `"${text}" is not a valid cron expression (${why}); e.g. "0 7 * * 1-5" is 07:00 on weekdays` });
      }
    }).meta(described("cron")),
    notify: listOf(z.string(), "a channel name"),
    sections: z.array(z.enum(DIGEST_SECTIONS, { error: `expected one of ${DIGEST_SECTIONS.join(", ")}` })).min(1).optional(),
    eshops: listOf(eshopId, "an e-shop id").optional(),
    products: listOf(glob, "a product code glob").optional(),
    skipEmpty: z.boolean({ error: "expected true or false" }).optional(),
  })
  .strict();

const leadTimeSchema = z
  .object({
    products: listOf(glob, "a product code glob"),
    leadTime: duration("how long a reorder takes to arrive, e.g. 10d"),
  })
  .strict();

export const forecastSchema = z
  .object({
    window: forecastWindow.optional(),
    minSales: minSales.optional(),
    salesBy: listOf(z.enum(SALE_SOURCES, { error: `expected one of ${SALE_SOURCES.join(", ")}` }), "a sale source").optional(),
    leadTimes: z.array(leadTimeSchema, { error: 'expected a list like [{products: ["KAV-*"], leadTime: 10d}]' }).optional(),
    reorderFor: duration("days of cover a suggested reorder buys after it arrives, e.g. 30d").optional(),
  })
  .strict();

export const rulesFileSchema = z
  .object({
    timezone: z.string({ error: 'expected an IANA timezone, e.g. "Europe/Prague"' }).superRefine((text, ctx) => {
      if (!isValidTimeZone(text)) {
        ctx.addIssue({ code: "custom", message: `unknown timezone "${text}"; use an IANA name such as Europe/Prague or UTC` });
      }
    }).meta({ description: "an IANA timezone for quiet hours and digest schedules, e.g. Europe/Prague (default)" }).optional(),
    channels: z.record(z.string(), channelSchema, { error: "expected a map of channel name to channel" }),
    rules: z.array(ruleSchema, { error: "expected a list of rules (each starting with \"- name:\")" }).optional(),
    digests: z.array(digestSchema, { error: "expected a list of digests (each starting with \"- name:\")" }).optional(),
    forecast: forecastSchema.optional(),
  })
  .strict();

export type RulesFile = z.infer<typeof rulesFileSchema>;
export type RuleInput = z.infer<typeof ruleSchema>;
export type WhenInput = z.infer<typeof whenSchema>;
export type ChannelInput = z.infer<typeof channelSchema>;
export type DigestInput = z.infer<typeof digestSchema>;
export type ForecastInput = z.infer<typeof forecastSchema>;
export type DaysOfCoverInput = z.infer<typeof daysOfCoverSchema>;

/** Keys allowed at each level, for "did you mean" hints on unknown keys. */
export const ALLOWED_KEYS = {
  file: Object.keys(rulesFileSchema.shape),
  rule: Object.keys(ruleSchema.shape),
  when: Object.keys(whenSchema.shape),
  quantity: Object.keys(quantity.shape),
  daysOfCover: Object.keys(daysOfCoverSchema.shape),
  forecast: Object.keys(forecastSchema.shape),
  leadTime: Object.keys(leadTimeSchema.shape),
  digest: Object.keys(digestSchema.shape),
  slack: Object.keys(slackChannel.shape),
  email: Object.keys(emailChannel.shape),
  quietHours: Object.keys(quietPeriod.shape),
} as const;
