import { Duration, IANAZone } from "luxon";
import { z } from "zod";

/**
 * Configuration is a pure function of the environment (as in probot's readEnvOptions), so tests pass a plain object.
 * The environment is one zod schema, `Environment`, below; a value it refuses throws ConfigError with one line naming
 * the variable and what is allowed.
 */

export const ROLES = ["all", "web", "worker"] as const;
export type Role = (typeof ROLES)[number];

export const ESCALATION_TARGETS = ["owner", "manager", "lead"] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

export interface EscalationStep {
  after: Duration;
  target: EscalationTarget;
}

export interface WorkingHours {
  /** ISO weekdays, Monday = 1. */
  days: number[];
  /** Minutes after midnight, in the person's own zone. */
  start: number;
  end: number;
}

export interface Config {
  databaseUrl: string | null;
  redisUrl: string | null;
  /** Where embedded PGlite and a locally started redis-server keep their data. */
  dataDir: string;
  port: number;
  slack: { botToken: string; signingSecret: string | null; appToken: string | null; apiUrl: string } | null;
  teams: { appId: string | null; appPassword: string | null; appType: string; tenantId: string | null } | null;
  reflectionSchedule: Duration[];
  reflectionReminder: Duration;
  promptMinGap: Duration;
  escalationLadder: EscalationStep[];
  sweepEvery: Duration;
  workingHours: WorkingHours | "always";
  timeZone: string;
  logLevel: string;
  /** Prefix for every Redis key, so tests and deployments can share one Redis. */
  redisPrefix: string;
  /** Platform user ids treated as admins, besides the platform's own (Slack admins and owners). */
  admins: readonly string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Keeps passwords out of error messages and logs. */
export function redact(value: string): string {
  // Up to the last "@", since pasted passwords often hold a raw "@"; the user name may be empty (redis://:pw@host).
  return value.replace(/\/\/([^:/@]*):.*@/, "//$1:***@");
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const TEAMS_APP_TYPES = ["MultiTenant", "SingleTenant", "UserAssignedMSI"] as const;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Inside a transform: records `message` as the issue and gives up on the value. */
function refuse(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue(message);
  return z.NEVER;
}

/**
 * The longest any setting's duration may be. Every one of them (a prompt's offset, a reminder, a gap, an escalation
 * step, the sweep) is added to a date: a value of thousands of years made dates no database can store, and every
 * report in the team failed with it.
 */
const LONGEST_MS = 366 * 24 * 3600_000;

/** One ISO-8601 duration, read by luxon; negative ones and ones longer than a year are refused too. */
const isoDuration = (name: string) =>
  z.string().transform((value, ctx) => {
    const d = Duration.fromISO(value.trim());
    if (!d.isValid || !(d.toMillis() >= 0)) return refuse(ctx, `${name}="${value}" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.`);
    if (d.toMillis() > LONGEST_MS) return refuse(ctx, `${name}="${value}" is longer than a year; use at most P1Y, e.g. P30D or P6M.`);
    return d;
  });

/** The comma-separated items of a list, trimmed. */
const items = (list: string) => list.split(",").map((item) => item.trim());

function clock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h <= 24 && min < 60 && h * 60 + min <= 24 * 60 ? h * 60 + min : undefined;
}

/** "Mon-Fri 08:00-18:00" (any case; a range may wrap past Sunday) or "always"; undefined for anything else. */
function readWorkingHours(value: string): WorkingHours | "always" | undefined {
  const text = value.trim().toLowerCase();
  if (text === "always") return "always";
  const m = /^([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const from = WEEKDAYS.indexOf(m[1]!);
  const to = m[2] ? WEEKDAYS.indexOf(m[2]) : from;
  const start = clock(m[3]!);
  const end = clock(m[4]!);
  if (from < 0 || to < 0 || start === undefined || end === undefined || end <= start) return undefined;
  const days: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    days.push(d + 1);
    if (d === to) break;
  }
  return { days, start, end };
}

/**
 * Every variable Debrief reads. Each entry is its rule with the one-line message for a value it refuses, then either
 * `.prefault(default)` — the default as it would be written in the environment, read by the same rule — or `.optional()`.
 * Values arrive trimmed, and a blank one counts as unset (see readConfig). Problems are reported in this order, then
 * those of the combination rules at the end; only the first is shown.
 */
const Environment = z
  .object({
    PORT: z
      .string()
      // Digits only: Number() would also take "1e3" or "0x50".
      .refine((v) => /^\d+$/.test(v) && Number(v) <= 65535, { error: (iss) => `PORT="${iss.input}" must be a whole number from 0 to 65535.` })
      .transform(Number)
      .prefault("3000"),
    TIME_ZONE: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), {
        error: (iss) => `TIME_ZONE="${iss.input}" is not an IANA time zone; use a name like Europe/London.`,
      })
      .prefault("Europe/London"),
    LOG_LEVEL: z
      .string()
      .transform((level) => level.toLowerCase())
      .pipe(z.enum(LOG_LEVELS, { error: (iss) => `LOG_LEVEL="${iss.input}" must be one of ${LOG_LEVELS.join(", ")}.` }))
      .prefault("info"),

    // Slack: the bot token with a signing secret (HTTP) or an app token (Socket Mode); the combinations are checked below.
    SLACK_BOT_TOKEN: z.string().optional(),
    SLACK_SIGNING_SECRET: z.string().optional(),
    SLACK_APP_TOKEN: z
      .string()
      .startsWith("xapp-", { error: "SLACK_APP_TOKEN must be an app-level token starting with xapp- (with the connections:write scope)." })
      .optional(),
    SLACK_API_URL: z
      .url({ protocol: /^https?$/, error: (iss) => `SLACK_API_URL="${redact(String(iss.input))}" is not a http: or https: URL.` })
      .transform((base) => (base.endsWith("/") ? base : `${base}/`))
      .prefault("https://slack.com/api/"),

    // Teams: no app id turns Teams authentication off (local testing only); the combinations are checked below.
    MICROSOFT_APP_ID: z.string().optional(),
    MICROSOFT_APP_PASSWORD: z.string().optional(),
    MICROSOFT_APP_TYPE: z
      .enum(TEAMS_APP_TYPES, { error: (iss) => `MICROSOFT_APP_TYPE="${iss.input}" must be MultiTenant, SingleTenant or UserAssignedMSI.` })
      .prefault("MultiTenant"),
    MICROSOFT_APP_TENANT_ID: z.string().optional(),

    // Unset: embedded PGlite and a redis-server started from PATH, both keeping data in DEBRIEF_DATA_DIR.
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: (iss) => `DATABASE_URL="${redact(String(iss.input))}" is not a postgres: or postgresql: URL.` })
      .optional(),
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: (iss) => `REDIS_URL="${redact(String(iss.input))}" is not a redis: or rediss: URL.` })
      .optional(),
    // Unset: .debrief in the working directory (readConfig's cwd).
    DEBRIEF_DATA_DIR: z.string().optional(),
    REDIS_PREFIX: z.string().prefault("debrief"),
    DEBRIEF_ADMINS: z
      .string()
      .transform((list) => items(list).filter(Boolean))
      .pipe(
        z.array(
          z.string().regex(/^[\p{L}\p{N}._-]+$/u, {
            error: (iss) => `DEBRIEF_ADMINS has "${iss.input}", which is not a platform user id; give ids separated by commas, e.g. U012AB3CD,U045EF6GH.`,
          }),
        ),
      )
      .prefault(""),

    REFLECTION_SCHEDULE: z
      .string()
      .transform((list) => items(list).filter(Boolean))
      .pipe(
        z
          .array(isoDuration("REFLECTION_SCHEDULE"))
          .min(1, { error: "REFLECTION_SCHEDULE is empty; give ISO-8601 durations separated by commas, e.g. P1D,P7D,P30D." }),
      )
      .prefault("P1D,P7D,P30D"),
    REFLECTION_REMINDER: isoDuration("REFLECTION_REMINDER").prefault("P1D"),
    PROMPT_MIN_GAP: isoDuration("PROMPT_MIN_GAP").prefault("PT1H"),
    ESCALATION_LADDER: z
      .string()
      .transform(items)
      .pipe(
        z.array(
          z
            .string()
            .transform((step, ctx) => {
              const [after, target, ...rest] = step.split(":");
              return after && target && rest.length === 0 && (ESCALATION_TARGETS as readonly string[]).includes(target)
                ? { after, target }
                : refuse(
                    ctx,
                    `ESCALATION_LADDER step "${step}" must be offset:target with target owner, manager or lead, e.g. PT0S:owner,P1D:manager,P3D:lead.`,
                  );
            })
            .pipe(z.object({ after: isoDuration("ESCALATION_LADDER"), target: z.enum(ESCALATION_TARGETS) })),
        ),
      )
      // Steps are taken in order as time passes, so each must come later than the one before it.
      .refine((steps) => steps.every((step, i) => i === 0 || step.after.toMillis() > steps[i - 1]!.after.toMillis()), {
        error: "ESCALATION_LADDER steps must come later and later, e.g. PT0S:owner,P1D:manager,P3D:lead.",
      })
      .prefault("PT0S:owner,P1D:manager,P3D:lead"),
    SWEEP_EVERY: isoDuration("SWEEP_EVERY")
      .refine((every) => every.toMillis() >= 1000, { error: "SWEEP_EVERY must be at least one second (PT1S)." })
      .prefault("PT1M"),
    WORKING_HOURS: z
      .string()
      .transform(
        (value, ctx) =>
          readWorkingHours(value) ??
          refuse(ctx, `WORKING_HOURS="${value}" must look like "Mon-Fri 08:00-18:00" (days, then start-end) or be "always".`),
      )
      .prefault("Mon-Fri 08:00-18:00"),
  })
  .superRefine((env, ctx) => {
    const slack = { bot: env.SLACK_BOT_TOKEN, secret: env.SLACK_SIGNING_SECRET, app: env.SLACK_APP_TOKEN };
    if (!slack.bot && (slack.secret || slack.app)) {
      ctx.addIssue("SLACK_BOT_TOKEN is missing; Slack needs it with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode).");
    }
    if (slack.bot && !slack.secret && !slack.app) {
      ctx.addIssue("SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode) is.");
    }
    const { MICROSOFT_APP_ID: appId, MICROSOFT_APP_TYPE: appType } = env;
    if (appId && !env.MICROSOFT_APP_PASSWORD && appType !== "UserAssignedMSI") {
      ctx.addIssue("MICROSOFT_APP_PASSWORD is missing; Teams needs it with MICROSOFT_APP_ID.");
    }
    if (appId && appType !== "MultiTenant" && !env.MICROSOFT_APP_TENANT_ID) {
      // Bot Framework authenticates single-tenant and managed-identity bots against their own tenant.
      ctx.addIssue(`MICROSOFT_APP_TENANT_ID is missing; a ${appType} Teams bot needs its Entra tenant id.`);
    }
  });

/**
 * What the core reads of the configuration: how the product behaves, never where it runs or its secrets. The core
 * takes this (src/core/feature.ts), not the environment; teams will override it per team.
 */
export type Settings = Pick<
  Config,
  "timeZone" | "admins" | "workingHours" | "reflectionSchedule" | "reflectionReminder" | "promptMinGap" | "escalationLadder" | "sweepEvery"
>;

export function settingsOf(config: Config): Settings {
  const { timeZone, admins, workingHours, reflectionSchedule, reflectionReminder, promptMinGap, escalationLadder, sweepEvery } = config;
  return { timeZone, admins, workingHours, reflectionSchedule, reflectionReminder, promptMinGap, escalationLadder, sweepEvery };
}

/** With no chat platform configured, Debrief is a chat in the terminal (the console adapter). */
export function usesConsole(config: Pick<Config, "slack" | "teams">): boolean {
  return !config.slack && !config.teams;
}

/** The parsed value, or a ConfigError carrying the first problem's one-line message. */
function accepted<T>(result: z.ZodSafeParseResult<T>): T {
  if (!result.success) throw new ConfigError(result.error.issues[0]?.message ?? "The configuration is not valid.");
  return result.data;
}

/** The variables that make up Settings, each with the Settings key it fills; teams override some (src/domain/team-settings.ts). */
export const SETTING_VARIABLES = {
  TIME_ZONE: "timeZone",
  WORKING_HOURS: "workingHours",
  REFLECTION_SCHEDULE: "reflectionSchedule",
  REFLECTION_REMINDER: "reflectionReminder",
  PROMPT_MIN_GAP: "promptMinGap",
  ESCALATION_LADDER: "escalationLadder",
  SWEEP_EVERY: "sweepEvery",
  DEBRIEF_ADMINS: "admins",
} as const satisfies Record<string, keyof Settings>;
export type SettingVariable = keyof typeof SETTING_VARIABLES;
export type SettingValue<V extends SettingVariable> = Settings[(typeof SETTING_VARIABLES)[V]];

/**
 * One setting's value, read by the same rule as the environment's: the typed value, or the one line start-up would stop
 * with. Trimmed like the environment; blank is refused here, since there is no "unset" to fall back on.
 */
export function parseSetting<V extends SettingVariable>(variable: V, value: string): { value: SettingValue<V> } | { problem: string } {
  const text = value.trim();
  if (!text) return { problem: `${variable} needs a value.` };
  // Each rule's output is the Settings value readConfig fills from it, which the compiler checks there.
  const rule = Environment.shape[variable] as unknown as z.ZodType<SettingValue<V>, string>;
  const result = rule.safeParse(text);
  return result.success ? { value: result.data } : { problem: result.error.issues[0]?.message ?? `${variable}="${text}" is not valid.` };
}

export function parseWorkingHours(value: string): WorkingHours | "always" {
  return accepted(Environment.shape.WORKING_HOURS.safeParse(value));
}

export function readConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  // Trimmed, and blank ones left out so they take their defaults.
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value?.trim()) set[name] = value.trim();
  const e = accepted(Environment.safeParse(set));

  return {
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    dataDir: e.DEBRIEF_DATA_DIR ?? `${cwd}/.debrief`,
    port: e.PORT,
    slack: e.SLACK_BOT_TOKEN
      ? { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET ?? null, appToken: e.SLACK_APP_TOKEN ?? null, apiUrl: e.SLACK_API_URL }
      : null,
    teams: e.MICROSOFT_APP_ID
      ? {
          appId: e.MICROSOFT_APP_ID,
          appPassword: e.MICROSOFT_APP_PASSWORD ?? null,
          appType: e.MICROSOFT_APP_TYPE,
          tenantId: e.MICROSOFT_APP_TENANT_ID ?? null,
        }
      : null,
    reflectionSchedule: e.REFLECTION_SCHEDULE,
    reflectionReminder: e.REFLECTION_REMINDER,
    promptMinGap: e.PROMPT_MIN_GAP,
    escalationLadder: e.ESCALATION_LADDER,
    sweepEvery: e.SWEEP_EVERY,
    workingHours: e.WORKING_HOURS,
    timeZone: e.TIME_ZONE,
    logLevel: e.LOG_LEVEL,
    redisPrefix: e.REDIS_PREFIX,
    admins: e.DEBRIEF_ADMINS,
  };
}
