import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig, type Config } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog } from "../support/fakes.ts";
import { replyOf, textOf } from "../support/outcomes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

let database: TestDatabase;
let directory: FakeDirectory;
let debrief: Debrief;

function core(config: Config = readConfig({})): Debrief {
  return createDebrief({
    db: database.db,
    deliveries: new FakeScheduler(),
    directories: { slack: directory },
    files: {},
    prompts: new FakeScheduler(),
    config,
    log: silentLog,
    now: () => new Date(),
  });
}

const OAK = "COAK";
const ELM = "CELM";

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new FakeDirectory();
  // UADMIN is a workspace admin on the platform; nobody else is unless a test says so.
  directory.admins.add("UADMIN");
  debrief = core();
  await say(interaction("UADMIN", OAK, "oak-house"), "setup");
  await say(interaction("UADMIN", OAK, "oak-house"), "lead <@ULEAD>");
  await say(interaction("UADMIN", ELM, "elm-lodge"), "setup");
  await say(interaction("UADMIN", ELM, "elm-lodge"), "lead <@UELMLEAD>");
  // USAM works at Oak House.
  await say(interaction("ULEAD", OAK), "member <@USAM>");
});

afterEach(async () => {
  await database.drop();
});

async function say(who: Interaction, text: string, on: Debrief = debrief): Promise<string> {
  const outcome = await on.command(who, "debrief", text);
  if (outcome.kind !== "reply") throw new Error(`expected a reply, got the form ${outcome.form.title}`);
  return textOf(outcome.view);
}

const stored = async (name: string) =>
  (await database.db.selectFrom("team").select("settings").where("name", "=", name).executeTakeFirstOrThrow()).settings;
const audit = () => database.db.selectFrom("audit_log").selectAll().where("action", "=", "team.settings_changed").orderBy("id").execute();

describe("a team's settings", () => {
  it("are changed by the team's lead and shown marked as the team's, the rest as the default", async () => {
    expect(await say(interaction("ULEAD", OAK), "settings reflection-schedule P2D,P14D")).toContain(
      "#oak-house's reflection-schedule (reflection prompts after) is now P2D, P14D, the team's own; it was the workspace's default.",
    );
    expect(await say(interaction("ULEAD", OAK), "settings WORKING_HOURS Mon-Sat 07:30-19:00")).toContain(
      "#oak-house's working-hours (working hours) is now Mon, Tue, Wed, Thu, Fri, Sat 07:30–19:00, the team's own",
    );

    const shown = await say(interaction("USAM", OAK), "settings");
    expect(shown).toContain("Settings for #oak-house");
    expect(shown).toContain("Reflection prompts after: P2D, P14D · team · reflection-schedule");
    expect(shown).toContain("Working hours: Mon, Tue, Wed, Thu, Fri, Sat 07:30–19:00 · team · working-hours");
    expect(shown).toContain("Time zone: Europe/London · default · time-zone");
    expect(shown).toContain("Escalation: owner after PT0S, manager after P1D, lead after P3D · default · escalation-ladder");
    // One question set per prompt in the team's schedule: Gibbs first, impact on practice last.
    expect(shown).toContain("Question sets: gibbs, impact · default · question-sets");
    expect(shown).toContain("An admin, or the team's lead, can change one in #oak-house with /debrief settings <name> <value…>");

    expect(await stored("oak-house")).toEqual({ REFLECTION_SCHEDULE: "P2D,P14D", WORKING_HOURS: "Mon-Sat 07:30-19:00" });
  });

  it("are the home team's in a direct message", async () => {
    await say(interaction("ULEAD", OAK), "settings time-zone Europe/Dublin");
    const shown = await say(interaction("USAM", null), "settings");
    expect(shown).toContain("Settings for #oak-house");
    expect(shown).toContain("Time zone: Europe/Dublin · team");
  });

  it("are written to the audit log, the one setting's value before and after", async () => {
    await say(interaction("ULEAD", OAK), "settings prompt-min-gap PT2H");
    await say(interaction("ULEAD", OAK), "settings prompt-min-gap PT3H");
    const oak = await database.db.selectFrom("team").select("id").where("name", "=", "oak-house").executeTakeFirstOrThrow();
    expect(await audit()).toEqual([
      expect.objectContaining({ actor_id: "slack:T1:ULEAD", subject: `team:${oak.id}`, before: { PROMPT_MIN_GAP: null }, after: { PROMPT_MIN_GAP: "PT2H" } }),
      expect.objectContaining({ before: { PROMPT_MIN_GAP: "PT2H" }, after: { PROMPT_MIN_GAP: "PT3H" } }),
    ]);
  });

  it("are not changed, nor audited, when set to what they already are", async () => {
    await say(interaction("ULEAD", OAK), "settings reflection-reminder PT12H");
    expect(await say(interaction("ULEAD", OAK), "settings reflection-reminder PT12H")).toContain("is already PT12H, the team's own");
    expect(await say(interaction("ULEAD", OAK), "settings time-zone default")).toContain("is already the workspace's default, Europe/London");
    expect(await audit()).toHaveLength(1);
  });

  it("go back to the workspace's default with default, audited", async () => {
    await say(interaction("ULEAD", OAK), "settings working-hours always");
    await say(interaction("ULEAD", OAK), "settings reflection-schedule P3D");
    expect(await say(interaction("ULEAD", OAK), "settings working-hours DEFAULT")).toContain(
      "is now the workspace's default, Mon, Tue, Wed, Thu, Fri 08:00–18:00; it was always.",
    );
    expect(await stored("oak-house")).toEqual({ REFLECTION_SCHEDULE: "P3D" });
    expect(await say(interaction("USAM", OAK), "settings")).toContain("Working hours: Mon, Tue, Wed, Thu, Fri 08:00–18:00 · default");
    expect((await audit()).at(-1)).toMatchObject({ before: { WORKING_HOURS: "always" }, after: { WORKING_HOURS: null } });
  });

  it("are changed by an admin too", async () => {
    expect(await say(interaction("UADMIN", OAK), "settings escalation-ladder PT0S:owner,P2D:lead")).toContain("is now owner after PT0S, lead after P2D");
    expect(await stored("oak-house")).toEqual({ ESCALATION_LADDER: "PT0S:owner,P2D:lead" });
    expect(await audit()).toEqual([expect.objectContaining({ actor_id: "slack:T1:UADMIN" })]);
  });

  it("are an admin's to change when listed in DEBRIEF_ADMINS", async () => {
    const configured = core(readConfig({ DEBRIEF_ADMINS: "UHELPDESK" }));
    // One set per prompt: the third of the default schedule's three keeps its default.
    expect(await say(interaction("UHELPDESK", OAK), "settings question-sets aar,impact", configured)).toContain("is now aar, impact, impact, the team's own");
  });

  it("are not changed by a member or by another team's lead, who are told who can, and nothing changes", async () => {
    const refusal = "Only an admin, or the team's lead, can change a team's settings. Ask one of them to change it.";
    const typed = "settings reflection-schedule PT1M";
    const member = await say(interaction("USAM", OAK), typed);
    expect(member).toContain(refusal);
    expect(member).toContain(`You typed: ${typed}`);
    expect(await say(interaction("UELMLEAD", OAK), typed)).toContain(refusal);
    expect(await say(interaction("UELMLEAD", OAK), "settings reflection-schedule default")).toContain(refusal);
    expect(await stored("oak-house")).toEqual({});
    expect(await audit()).toEqual([]);
    expect(await say(interaction("USAM", OAK), "settings")).toContain("Reflection prompts after: P1D, P7D, P30D · default");
  });

  it("refuse a bad value, saying what was wrong and the right form, and keep what was typed", async () => {
    const typed = "settings working-hours Mon-Fry 08:00-18:00";
    const reply = await say(interaction("ULEAD", OAK), typed);
    expect(reply).toContain(
      'working-hours="Mon-Fry 08:00-18:00" must look like "Mon-Fri 08:00-18:00" (days, then start-end) or be "always". For example: /debrief settings working-hours Mon-Fri 08:00-18:00',
    );
    expect(reply).toContain("/debrief settings <name> <value…>");
    expect(reply).toContain(`You typed: ${typed}`);
    expect(await say(interaction("ULEAD", OAK), "settings time-zone Mars/Olympus")).toContain("time-zone=\"Mars/Olympus\" is not an IANA time zone");
    expect(await say(interaction("ULEAD", OAK), "settings frequency weekly")).toContain("`frequency` isn't a setting I know.");
    expect(await stored("oak-house")).toEqual({});
    expect(await audit()).toEqual([]);
  });

  it("are changed only in a team's channel, which a direct message or another channel is not", async () => {
    expect(await say(interaction("ULEAD", null), "settings reflection-reminder PT6H")).toContain(
      "Run this in the team's own channel, e.g. /debrief settings reflection-reminder P1D",
    );
    expect(await say(interaction("UADMIN", "CRANDOM", "random"), "settings reflection-reminder PT6H")).toContain("Run this in the team's own channel");
    expect(await stored("oak-house")).toEqual({});
    expect(await audit()).toEqual([]);
  });

  it("do not reach another team", async () => {
    await say(interaction("ULEAD", OAK), "settings time-zone Europe/Dublin");
    await say(interaction("UELMLEAD", ELM), "settings reflection-schedule P5D");
    expect(await stored("oak-house")).toEqual({ TIME_ZONE: "Europe/Dublin" });
    expect(await stored("elm-lodge")).toEqual({ REFLECTION_SCHEDULE: "P5D" });

    const elm = await say(interaction("UELMLEAD", ELM), "settings");
    expect(elm).toContain("Time zone: Europe/London · default");
    expect(elm).toContain("Reflection prompts after: P5D · team");
    const oak = await say(interaction("USAM", OAK), "settings");
    expect(oak).toContain("Time zone: Europe/Dublin · team");
    expect(oak).toContain("Reflection prompts after: P1D, P7D, P30D · default");
  });

  it("refuse a duration longer than a year, and a stored one is ignored, so reports and prompts go on", async () => {
    const reply = await say(interaction("ULEAD", OAK), "settings reflection-schedule PT5S,P300000Y");
    expect(reply).toContain('reflection-schedule="P300000Y" is longer than a year; use at most P1Y');
    expect(await say(interaction("ULEAD", OAK), "settings escalation-ladder PT0S:owner,P300000Y:lead")).toContain("is longer than a year");
    expect(await stored("oak-house")).toEqual({});
    // A value stored before the limit (or written by hand) no longer reads: the default holds and reports are logged.
    await database.db.updateTable("team").set({ settings: JSON.stringify({ REFLECTION_SCHEDULE: "PT5S,P300000Y" }) }).where("name", "=", "oak-house").execute();
    expect(await say(interaction("USAM", OAK), "settings")).toContain("Reflection prompts after: P1D, P7D, P30D · default");
    const logged = textOf(replyOf(await debrief.command(interaction("USAM", OAK), "incident", "medication low Wrong dose at tea time")));
    expect(logged).toMatch(/Logged INC-\d+/);
  });

  it("keep the default where a stored value no longer reads", async () => {
    await database.db.updateTable("team").set({ settings: JSON.stringify({ WORKING_HOURS: "weekdays" }) }).where("name", "=", "oak-house").execute();
    expect(await say(interaction("USAM", OAK), "settings")).toContain("Working hours: Mon, Tue, Wed, Thu, Fri 08:00–18:00 · default");
    // And default clears it.
    expect(await say(interaction("ULEAD", OAK), "settings working-hours default")).toContain("it was weekdays.");
    expect(await stored("oak-house")).toEqual({});
  });

  it("show the workspace's defaults, and where to go, with no team to go by", async () => {
    const shown = await say(interaction("UNEWCOMER", null), "settings");
    expect(shown).not.toContain("Settings for");
    expect(shown).toContain("Time zone: Europe/London · default");
    expect(shown).toContain("Run /debrief settings in a team's channel to see that team's, and to change them there.");
  });
});
