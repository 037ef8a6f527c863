import { Duration, IANAZone } from "luxon";
import { z } from "zod";

/**
 * Configuration is a pure function of the environment (as in probot's readEnvOptions), so tests pass a plain object.
 * A bad value throws ConfigError with one line naming the variable and what is allowed.
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
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function duration(name: string, value: string): Duration {
  const d = Duration.fromISO(value.trim());
  if (!d.isValid || d.toMillis() < 0) {
    throw new ConfigError(`${name}="${value}" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.`);
  }
  return d;
}

function durationList(name: string, value: string): Duration[] {
  const parts = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new ConfigError(`${name} is empty; give ISO-8601 durations separated by commas, e.g. P1D,P7D,P30D.`);
  return parts.map((p) => duration(name, p));
}

function ladder(value: string): EscalationStep[] {
  const name = "ESCALATION_LADDER";
  return value.split(",").map((step) => {
    const [offset, target, ...rest] = step.trim().split(":");
    if (!offset || !target || rest.length > 0 || !(ESCALATION_TARGETS as readonly string[]).includes(target)) {
      throw new ConfigError(
        `${name} step "${step.trim()}" must be offset:target with target owner, manager or lead, e.g. PT0S:owner,P1D:manager,P3D:lead.`,
      );
    }
    return { after: duration(name, offset), target: target as EscalationTarget };
  });
}

function clock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h <= 24 && min < 60 && h * 60 + min <= 24 * 60 ? h * 60 + min : undefined;
}

export function parseWorkingHours(value: string): WorkingHours | "always" {
  const text = value.trim().toLowerCase();
  if (text === "always") return "always";
  const fail = () =>
    new ConfigError(`WORKING_HOURS="${value}" must look like "Mon-Fri 08:00-18:00" (days, then start-end) or be "always".`);
  const m = /^([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(text);
  if (!m) throw fail();
  const from = WEEKDAYS.indexOf(m[1]!);
  const to = m[2] ? WEEKDAYS.indexOf(m[2]) : from;
  const start = clock(m[3]!);
  const end = clock(m[4]!);
  if (from < 0 || to < 0 || start === undefined || end === undefined || end <= start) throw fail();
  const days: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    days.push(d + 1);
    if (d === to) break;
  }
  return { days, start, end };
}

function url(name: string, value: string, protocols: string[]): string {
  try {
    const u = new URL(value);
    if (!protocols.includes(u.protocol)) throw new Error();
    return value;
  } catch {
    throw new ConfigError(`${name}="${redact(value)}" is not a ${protocols.join(" or ")} URL.`);
  }
}

/** Keeps passwords out of error messages and logs. */
export function redact(value: string): string {
  // Up to the last "@", since pasted passwords often hold a raw "@"; the user name may be empty (redis://:pw@host).
  return value.replace(/\/\/([^:/@]*):.*@/, "//$1:***@");
}

const Env = z.record(z.string(), z.string().optional());

export function readConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const e = Env.parse({ ...env });
  const get = (name: string): string | undefined => {
    const v = e[name]?.trim();
    return v ? v : undefined;
  };

  const portText = get("PORT") ?? "3000";
  const port = Number(portText);
  // Digits only: Number() would also take "1e3" or "0x50".
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(`PORT="${get("PORT")}" must be a whole number from 0 to 65535.`);
  }

  const timeZone = get("TIME_ZONE") ?? "Europe/London";
  if (!IANAZone.isValidZone(timeZone)) {
    throw new ConfigError(`TIME_ZONE="${timeZone}" is not an IANA time zone; use a name like Europe/London.`);
  }

  const logLevel = (get("LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(", ")}.`);
  }

  const botToken = get("SLACK_BOT_TOKEN");
  const signingSecret = get("SLACK_SIGNING_SECRET") ?? null;
  const appToken = get("SLACK_APP_TOKEN") ?? null;
  if (!botToken && (signingSecret || appToken)) {
    throw new ConfigError("SLACK_BOT_TOKEN is missing; Slack needs it with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode).");
  }
  if (botToken && !signingSecret && !appToken) {
    throw new ConfigError("SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode) is.");
  }
  if (appToken && !appToken.startsWith("xapp-")) {
    throw new ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (with the connections:write scope).");
  }
  let slackApiUrl = get("SLACK_API_URL") ?? "https://slack.com/api/";
  slackApiUrl = url("SLACK_API_URL", slackApiUrl, ["http:", "https:"]);
  if (!slackApiUrl.endsWith("/")) slackApiUrl += "/";

  const appId = get("MICROSOFT_APP_ID") ?? null;
  const appPassword = get("MICROSOFT_APP_PASSWORD") ?? null;
  const appType = get("MICROSOFT_APP_TYPE") ?? "MultiTenant";
  if (!["MultiTenant", "SingleTenant", "UserAssignedMSI"].includes(appType)) {
    throw new ConfigError(`MICROSOFT_APP_TYPE="${appType}" must be MultiTenant, SingleTenant or UserAssignedMSI.`);
  }
  if (appId && !appPassword && appType !== "UserAssignedMSI") {
    throw new ConfigError("MICROSOFT_APP_PASSWORD is missing; Teams needs it with MICROSOFT_APP_ID.");
  }
  const tenantId = get("MICROSOFT_APP_TENANT_ID") ?? null;
  if (appId && appType !== "MultiTenant" && !tenantId) {
    // Bot Framework authenticates single-tenant and managed-identity bots against their own tenant.
    throw new ConfigError(`MICROSOFT_APP_TENANT_ID is missing; a ${appType} Teams bot needs its Entra tenant id.`);
  }

  const databaseUrl = get("DATABASE_URL");
  const redisUrl = get("REDIS_URL");

  return {
    databaseUrl: databaseUrl ? url("DATABASE_URL", databaseUrl, ["postgres:", "postgresql:"]) : null,
    redisUrl: redisUrl ? url("REDIS_URL", redisUrl, ["redis:", "rediss:"]) : null,
    dataDir: get("DEBRIEF_DATA_DIR") ?? `${cwd}/.debrief`,
    port,
    slack: botToken ? { botToken, signingSecret, appToken, apiUrl: slackApiUrl } : null,
    teams: appId ? { appId, appPassword, appType, tenantId } : null,
    reflectionSchedule: durationList("REFLECTION_SCHEDULE", get("REFLECTION_SCHEDULE") ?? "P1D,P7D,P30D"),
    reflectionReminder: duration("REFLECTION_REMINDER", get("REFLECTION_REMINDER") ?? "P1D"),
    promptMinGap: duration("PROMPT_MIN_GAP", get("PROMPT_MIN_GAP") ?? "PT1H"),
    escalationLadder: ladder(get("ESCALATION_LADDER") ?? "PT0S:owner,P1D:manager,P3D:lead"),
    sweepEvery: positive("SWEEP_EVERY", duration("SWEEP_EVERY", get("SWEEP_EVERY") ?? "PT1M")),
    workingHours: parseWorkingHours(get("WORKING_HOURS") ?? "Mon-Fri 08:00-18:00"),
    timeZone,
    logLevel,
    redisPrefix: get("REDIS_PREFIX") ?? "debrief",
  };
}

function positive(name: string, d: Duration): Duration {
  if (d.toMillis() < 1000) throw new ConfigError(`${name} must be at least one second (PT1S).`);
  return d;
}
