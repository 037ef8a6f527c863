import { describe, expect, it } from "vitest";
import { ConfigError, readConfig, redact } from "../../src/config.ts";

const read = (env: Record<string, string>) => readConfig(env, "/srv/debrief");

/** The message start-up stops with; fails the test when the environment was accepted. */
function refusal(env: Record<string, string>): string {
  try {
    read(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("DEBRIEF_ADMINS", () => {
  it("reads platform user ids separated by commas", () => {
    expect(read({ DEBRIEF_ADMINS: "U012AB3CD, U045EF6GH ," }).admins).toEqual(["U012AB3CD", "U045EF6GH"]);
  });

  it("refuses something that is not a user id, naming it and the right form", () => {
    expect(refusal({ DEBRIEF_ADMINS: "U012AB3CD,<@U045EF6GH>" })).toBe(
      'DEBRIEF_ADMINS has "<@U045EF6GH>", which is not a platform user id; give ids separated by commas, e.g. U012AB3CD,U045EF6GH.',
    );
  });
});

describe("defaults", () => {
  it("runs with nothing set: embedded Postgres, a local Redis, port 3000, the documented schedule", () => {
    const c = read({});
    expect(c.databaseUrl).toBeNull();
    expect(c.redisUrl).toBeNull();
    expect(c.dataDir).toBe("/srv/debrief/.debrief");
    expect(c.port).toBe(3000);
    expect(c.slack).toBeNull();
    expect(c.teams).toBeNull();
    expect(c.reflectionSchedule.map((d) => d.toISO())).toEqual(["P1D", "P7D", "P30D"]);
    expect(c.reflectionReminder.toISO()).toBe("P1D");
    expect(c.promptMinGap.toISO()).toBe("PT1H");
    expect(c.escalationLadder.map((s) => [s.after.toISO(), s.target])).toEqual([
      ["PT0S", "owner"],
      ["P1D", "manager"],
      ["P3D", "lead"],
    ]);
    expect(c.sweepEvery.toISO()).toBe("PT1M");
    expect(c.workingHours).toEqual({ days: [1, 2, 3, 4, 5], start: 8 * 60, end: 18 * 60 });
    expect(c.timeZone).toBe("Europe/London");
    expect(c.logLevel).toBe("info");
    expect(c.redisPrefix).toBe("debrief");
    expect(c.admins).toEqual([]);
  });

  it("treats a blank variable as unset", () => {
    expect(read({ PORT: "  ", WORKING_HOURS: "" }).port).toBe(3000);
  });
});

describe("a bad value stops start-up with one line naming the variable and what is allowed", () => {
  it.each([
    [{ PORT: "http" }, 'PORT="http" must be a whole number from 0 to 65535.'],
    [{ PORT: "70000" }, 'PORT="70000" must be a whole number from 0 to 65535.'],
    [{ PORT: "1e3" }, 'PORT="1e3" must be a whole number from 0 to 65535.'],
    [{ TIME_ZONE: "London" }, 'TIME_ZONE="London" is not an IANA time zone; use a name like Europe/London.'],
    [{ LOG_LEVEL: "loud" }, 'LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent.'],
    [{ REFLECTION_SCHEDULE: "1 day" }, 'REFLECTION_SCHEDULE="1 day" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.'],
    [{ REFLECTION_SCHEDULE: " , " }, "REFLECTION_SCHEDULE is empty; give ISO-8601 durations separated by commas, e.g. P1D,P7D,P30D."],
    [{ REFLECTION_REMINDER: "-P1D" }, 'REFLECTION_REMINDER="-P1D" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.'],
    [{ PROMPT_MIN_GAP: "1h" }, 'PROMPT_MIN_GAP="1h" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.'],
    [{ SWEEP_EVERY: "PT0.5S" }, "SWEEP_EVERY must be at least one second (PT1S)."],
    // Every duration is added to a date: thousands of years make dates no database can store.
    [{ REFLECTION_SCHEDULE: "PT5S,P300000Y" }, 'REFLECTION_SCHEDULE="P300000Y" is longer than a year; use at most P1Y, e.g. P30D or P6M.'],
    [{ REFLECTION_REMINDER: "P367D" }, 'REFLECTION_REMINDER="P367D" is longer than a year; use at most P1Y, e.g. P30D or P6M.'],
    [{ ESCALATION_LADDER: "PT0S:owner,P300000Y:lead" }, 'ESCALATION_LADDER="P300000Y" is longer than a year; use at most P1Y, e.g. P30D or P6M.'],
    [{ SWEEP_EVERY: "often" }, 'SWEEP_EVERY="often" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.'],
    [
      { ESCALATION_LADDER: "P1D:boss" },
      'ESCALATION_LADDER step "P1D:boss" must be offset:target with target owner, manager or lead, e.g. PT0S:owner,P1D:manager,P3D:lead.',
    ],
    [{ ESCALATION_LADDER: "P1Q:lead" }, 'ESCALATION_LADDER="P1Q" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.'],
    [
      { WORKING_HOURS: "9 to 5" },
      'WORKING_HOURS="9 to 5" must look like "Mon-Fri 08:00-18:00" (days, then start-end) or be "always".',
    ],
    [{ REDIS_URL: "localhost:6379" }, 'REDIS_URL="localhost:6379" is not a redis: or rediss: URL.'],
    [{ SLACK_API_URL: "slack.com/api" }, 'SLACK_API_URL="slack.com/api" is not a http: or https: URL.'],
    [
      { MICROSOFT_APP_ID: "app", MICROSOFT_APP_PASSWORD: "pw", MICROSOFT_APP_TYPE: "Global" },
      'MICROSOFT_APP_TYPE="Global" must be MultiTenant, SingleTenant or UserAssignedMSI.',
    ],
    [{ MICROSOFT_APP_ID: "app" }, "MICROSOFT_APP_PASSWORD is missing; Teams needs it with MICROSOFT_APP_ID."],
    [
      { MICROSOFT_APP_ID: "app", MICROSOFT_APP_PASSWORD: "pw", MICROSOFT_APP_TYPE: "SingleTenant" },
      "MICROSOFT_APP_TENANT_ID is missing; a SingleTenant Teams bot needs its Entra tenant id.",
    ],
  ])("%j", (env, message) => {
    expect(refusal(env)).toBe(message);
  });
});

describe("ISO durations", () => {
  it("reads days, hours, minutes and combinations", () => {
    const c = read({ REFLECTION_SCHEDULE: "PT30M, P1DT12H ,P2W", REFLECTION_REMINDER: "PT4H", PROMPT_MIN_GAP: "PT0S" });
    expect(c.reflectionSchedule.map((d) => d.as("hours"))).toEqual([0.5, 36, 14 * 24]);
    expect(c.reflectionReminder.as("minutes")).toBe(240);
    expect(c.promptMinGap.toMillis()).toBe(0);
  });
});

describe("ESCALATION_LADDER", () => {
  it("reads offset:target steps in order", () => {
    const ladder = read({ ESCALATION_LADDER: "PT2H:owner, P2D:lead" }).escalationLadder;
    expect(ladder.map((s) => [s.after.as("hours"), s.target])).toEqual([
      [2, "owner"],
      [48, "lead"],
    ]);
  });

  it("refuses steps out of order, which would escalate to the lead before the manager", () => {
    expect(refusal({ ESCALATION_LADDER: "P3D:lead,P1D:manager" })).toBe(
      "ESCALATION_LADDER steps must come later and later, e.g. PT0S:owner,P1D:manager,P3D:lead.",
    );
    expect(refusal({ ESCALATION_LADDER: "P1D:manager,P1D:lead" })).toMatch(/^ESCALATION_LADDER steps must come later/);
  });

  it("refuses a step without a target", () => {
    expect(refusal({ ESCALATION_LADDER: "P1D" })).toMatch(/^ESCALATION_LADDER step "P1D" must be offset:target/);
    expect(refusal({ ESCALATION_LADDER: "P1D:lead:manager" })).toMatch(/^ESCALATION_LADDER step/);
  });
});

describe("WORKING_HOURS", () => {
  const hours = (value: string) => read({ WORKING_HOURS: value }).workingHours;

  it('"always" turns working hours off, in any case', () => {
    expect(hours("always")).toBe("always");
    expect(hours("Always")).toBe("always");
  });

  it("reads a day range and times, ignoring case", () => {
    expect(hours("tue-thu 9:30-17:00")).toEqual({ days: [2, 3, 4], start: 9 * 60 + 30, end: 17 * 60 });
  });

  it("reads the weekend and a range that wraps past Sunday", () => {
    expect(hours("Sat-Sun 10:00-16:00")).toEqual({ days: [6, 7], start: 600, end: 960 });
    expect(hours("Fri-Mon 07:00-24:00")).toEqual({ days: [5, 6, 7, 1], start: 420, end: 1440 });
  });

  it("reads a single day", () => {
    expect(hours("Sat 10:00-12:00")).toEqual({ days: [6], start: 600, end: 720 });
  });

  it.each(["Mon-Fri", "Mon-Fry 08:00-18:00", "Mon-Fri 18:00-08:00", "Mon-Fri 08:00-25:00", "Mon-Fri 08:60-09:00"])(
    "refuses %j",
    (value) => {
      expect(refusal({ WORKING_HOURS: value })).toBe(
        `WORKING_HOURS="${value}" must look like "Mon-Fri 08:00-18:00" (days, then start-end) or be "always".`,
      );
    },
  );
});

describe("Slack credentials", () => {
  it("uses HTTP with a bot token and signing secret", () => {
    expect(read({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" }).slack).toEqual({
      botToken: "xoxb-1",
      signingSecret: "s",
      appToken: null,
      apiUrl: "https://slack.com/api/",
    });
  });

  it("uses Socket Mode with a bot token and an app token", () => {
    const slack = read({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).slack;
    expect(slack).toMatchObject({ botToken: "xoxb-1", signingSecret: null, appToken: "xapp-1" });
  });

  it("points at another API base, always ending in a slash", () => {
    const slack = read({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: "http://127.0.0.1:9999/api" }).slack;
    expect(slack?.apiUrl).toBe("http://127.0.0.1:9999/api/");
  });

  it("refuses incomplete or wrong combinations", () => {
    expect(refusal({ SLACK_SIGNING_SECRET: "s" })).toBe(
      "SLACK_BOT_TOKEN is missing; Slack needs it with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode).",
    );
    expect(refusal({ SLACK_APP_TOKEN: "xapp-1" })).toMatch(/^SLACK_BOT_TOKEN is missing/);
    expect(refusal({ SLACK_BOT_TOKEN: "xoxb-1" })).toBe(
      "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode) is.",
    );
    expect(refusal({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-2" })).toBe(
      "SLACK_APP_TOKEN must be an app-level token starting with xapp- (with the connections:write scope).",
    );
  });

  it("never echoes a token in a refusal", () => {
    expect(refusal({ SLACK_BOT_TOKEN: "xoxb-secret", SLACK_APP_TOKEN: "xoxp-secret" })).not.toContain("secret");
  });
});

describe("Teams credentials", () => {
  it("is off without an app id, and reads id, password, type and tenant when given", () => {
    expect(read({}).teams).toBeNull();
    expect(read({ MICROSOFT_APP_ID: "a", MICROSOFT_APP_PASSWORD: "p" }).teams).toEqual({
      appId: "a",
      appPassword: "p",
      appType: "MultiTenant",
      tenantId: null,
    });
    expect(read({ MICROSOFT_APP_ID: "a", MICROSOFT_APP_TYPE: "UserAssignedMSI", MICROSOFT_APP_TENANT_ID: "t" }).teams).toMatchObject({
      appPassword: null,
      tenantId: "t",
    });
  });
});

describe("connection URLs", () => {
  it("keeps Postgres and Redis URLs as given", () => {
    const c = read({ DATABASE_URL: "postgres://debrief:pw@db:5432/debrief", REDIS_URL: "rediss://:pw@cache:6380" });
    expect(c.databaseUrl).toBe("postgres://debrief:pw@db:5432/debrief");
    expect(c.redisUrl).toBe("rediss://:pw@cache:6380");
  });

  it("hides the password when DATABASE_URL is refused", () => {
    const message = refusal({ DATABASE_URL: "mysql://debrief:hunter2@db/debrief" });
    expect(message).toBe('DATABASE_URL="mysql://debrief:***@db/debrief" is not a postgres: or postgresql: URL.');
  });

  it("hides a password that holds an @ or has no user name", () => {
    expect(refusal({ DATABASE_URL: "mysql://debrief:hunt@r2@db/debrief" })).not.toContain("r2@");
    expect(refusal({ REDIS_URL: "redis://:hunter2@cache:port" })).toBe('REDIS_URL="redis://:***@cache:port" is not a redis: or rediss: URL.');
    expect(redact("postgres://db/debrief")).toBe("postgres://db/debrief");
  });
});
