import { describe, expect, it } from "vitest";
import { parseSetting, readConfig, settingsOf } from "../../src/config.ts";
import { checkTeamSetting, findTeamSetting, settingsForTeam, TEAM_SETTINGS, teamOverrides } from "../../src/domain/team-settings.ts";

const base = settingsOf(readConfig({}, "/srv/debrief"));

describe("a setting's name", () => {
  it.each([
    ["reflection-schedule", "REFLECTION_SCHEDULE"],
    ["Reflection-Schedule", "REFLECTION_SCHEDULE"],
    ["REFLECTION_SCHEDULE", "REFLECTION_SCHEDULE"],
    ["working_hours", "WORKING_HOURS"],
    ["time-zone", "TIME_ZONE"],
    ["prompt-min-gap", "PROMPT_MIN_GAP"],
    ["reflection-reminder", "REFLECTION_REMINDER"],
    ["escalation-ladder", "ESCALATION_LADDER"],
    ["question-sets", "QUESTION_SETS"],
  ])("is read from %s", (typed, name) => {
    expect(findTeamSetting(typed)?.name).toBe(name);
  });

  it("is not one a team cannot change, nor anything else", () => {
    for (const typed of ["sweep-every", "DEBRIEF_ADMINS", "database-url", "constructor", "", "working hours"]) {
      expect(findTeamSetting(typed), typed).toBeUndefined();
    }
  });

  it("comes with a label, and an example each setting's own rule accepts", () => {
    expect(TEAM_SETTINGS.map((s) => s.key)).toEqual([
      "time-zone", "working-hours", "reflection-schedule", "reflection-reminder", "prompt-min-gap", "escalation-ladder", "question-sets",
    ]);
    for (const s of TEAM_SETTINGS) {
      expect(s.label).not.toBe("");
      expect(checkTeamSetting(s.name, s.example)).toEqual({ stored: s.example });
    }
  });
});

describe("a setting's value", () => {
  it("is read by the environment's own rule, and kept as typed (trimmed)", () => {
    expect(checkTeamSetting("WORKING_HOURS", "  mon-sat 07:30-19:00 ")).toEqual({ stored: "mon-sat 07:30-19:00" });
    expect(checkTeamSetting("REFLECTION_SCHEDULE", "P2D, P14D")).toEqual({ stored: "P2D, P14D" });
    expect(checkTeamSetting("TIME_ZONE", "Europe/Dublin")).toEqual({ stored: "Europe/Dublin" });
    expect(checkTeamSetting("QUESTION_SETS", "gibbs,aar")).toEqual({ stored: "gibbs,aar" });
  });

  it("that is wrong gets the same one-line problem start-up would stop with", () => {
    expect(checkTeamSetting("REFLECTION_SCHEDULE", "P1D,soon")).toEqual({
      problem: 'REFLECTION_SCHEDULE="soon" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H.',
    });
    expect(checkTeamSetting("WORKING_HOURS", "Mon-Fry 08:00-18:00")).toEqual({
      problem: 'WORKING_HOURS="Mon-Fry 08:00-18:00" must look like "Mon-Fri 08:00-18:00" (days, then start-end) or be "always".',
    });
    expect(checkTeamSetting("TIME_ZONE", "Mars/Olympus")).toEqual({
      problem: 'TIME_ZONE="Mars/Olympus" is not an IANA time zone; use a name like Europe/London.',
    });
    expect(checkTeamSetting("ESCALATION_LADDER", "P1D:manager,PT0S:owner")).toEqual({
      problem: "ESCALATION_LADDER steps must come later and later, e.g. PT0S:owner,P1D:manager,P3D:lead.",
    });
    expect(checkTeamSetting("QUESTION_SETS", "gibbs,kolb")).toMatchObject({ problem: expect.stringContaining("`kolb` is not a question set") });
  });

  it("that is blank is refused, not taken as the default", () => {
    expect(checkTeamSetting("PROMPT_MIN_GAP", "  ")).toEqual({ problem: "PROMPT_MIN_GAP needs a value." });
    expect(parseSetting("REFLECTION_REMINDER", "")).toEqual({ problem: "REFLECTION_REMINDER needs a value." });
  });
});

describe("the settings in force for a team", () => {
  it("are the workspace's when the team has none of its own", () => {
    expect(settingsForTeam(base, undefined)).toEqual(base);
    expect(settingsForTeam(base, {})).toEqual(base);
    expect(teamOverrides({})).toEqual(new Set());
  });

  it("take the team's own values over the workspace's, read as the environment's would be", () => {
    const s = settingsForTeam(base, {
      REFLECTION_SCHEDULE: "P2D,P14D",
      WORKING_HOURS: "always",
      TIME_ZONE: "Europe/Dublin",
      REFLECTION_REMINDER: "PT12H",
      PROMPT_MIN_GAP: "PT2H",
      ESCALATION_LADDER: "PT0S:owner,P2D:lead",
      QUESTION_SETS: "aar,impact",
    });
    expect(s.reflectionSchedule.map((d) => d.toISO())).toEqual(["P2D", "P14D"]);
    expect(s.workingHours).toBe("always");
    expect(s.timeZone).toBe("Europe/Dublin");
    expect(s.reflectionReminder.toISO()).toBe("PT12H");
    expect(s.promptMinGap.toISO()).toBe("PT2H");
    expect(s.escalationLadder.map((st) => [st.after.toISO(), st.target])).toEqual([["PT0S", "owner"], ["P2D", "lead"]]);
    expect(s.questionSets).toEqual(["aar", "impact"]);
    // What a team cannot set stays the workspace's.
    expect(s.sweepEvery).toBe(base.sweepEvery);
    expect(s.admins).toBe(base.admins);
  });

  it("keep the default where a stored value no longer reads, and do not count it as the team's", () => {
    const stored = { WORKING_HOURS: "weekdays", TIME_ZONE: 42, REFLECTION_SCHEDULE: "P3D", QUESTION_SETS: "kolb" };
    const s = settingsForTeam(base, stored);
    expect(s.workingHours).toEqual(base.workingHours);
    expect(s.timeZone).toBe(base.timeZone);
    expect(s.questionSets).toBeUndefined();
    expect(s.reflectionSchedule.map((d) => d.toISO())).toEqual(["P3D"]);
    expect(teamOverrides(stored)).toEqual(new Set(["REFLECTION_SCHEDULE"]));
  });

  it("ignore what a team cannot set, even if it is stored", () => {
    const s = settingsForTeam(base, { DEBRIEF_ADMINS: "UMALLORY", SWEEP_EVERY: "PT1S", sweepEvery: "PT1S" });
    expect(s).toEqual(base);
  });

  it("do not change the workspace's settings they start from", () => {
    const before = base.timeZone;
    settingsForTeam(base, { TIME_ZONE: "Asia/Tokyo" });
    expect(base.timeZone).toBe(before);
  });
});
