import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig, type Config } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { textOf } from "../support/outcomes.ts";

let database: TestDatabase;
let directory: FakeDirectory;
let debrief: Debrief;

function core(config: Config = readConfig({})): Debrief {
  return createDebrief({
    db: database.db,
    deliveries: new FakeScheduler(),
    directories: { slack: directory },
    config,
    log: silentLog,
    now: () => new Date(),
  });
}

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new FakeDirectory();
  debrief = core();
});

afterEach(async () => {
  await database.drop();
});

async function say(who: Interaction | string, text: string, on: Debrief = debrief): Promise<string> {
  const outcome = await on.command(typeof who === "string" ? interaction(who) : who, "debrief", text);
  if (outcome.kind !== "reply") throw new Error(`expected a reply, got the form ${outcome.form.title}`);
  return textOf(outcome.view);
}

const teams = () => database.db.selectFrom("team").selectAll().orderBy("id").execute();
const person = (userId: string) =>
  database.db.selectFrom("person").selectAll().where("id", "=", `slack:T1:${userId}`).executeTakeFirst();
const audit = (action: string) => database.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

describe("team spaces", () => {
  it("makes the channel a team space, named after the channel, and says what comes next", async () => {
    const reply = await say(interaction("UALICE", TEAM_CHANNEL, "oak-house"), "setup");
    expect(reply).toContain("This channel is now the team space for #oak-house");
    expect(reply).toContain("incidents are announced here");
    expect(reply).toMatch(/Next, set the team's safeguarding lead with \/debrief lead @person/);

    expect(await teams()).toEqual([expect.objectContaining({ workspace_id: "slack:T1", channel_id: TEAM_CHANNEL, name: "oak-house", lead_id: null })]);
    expect(await person("UALICE")).toMatchObject({ team_id: (await teams())[0]!.id, display_name: "UALICE" });
    expect(await audit("team.created")).toHaveLength(1);
  });

  it("names the team after the channel id when the platform gives no name", async () => {
    expect(await say("UALICE", "setup")).toContain(`team space for #${TEAM_CHANNEL}`);
  });

  it("is refused in a direct message, saying where to run it", async () => {
    const reply = await say(interaction("UALICE", null), "setup");
    expect(reply).toMatch(/Run \/debrief setup in your team's channel, not in a direct message/);
    expect(await teams()).toEqual([]);
  });

  it("is idempotent: a second setup in the same channel says so and changes nothing", async () => {
    await say(interaction("UALICE", TEAM_CHANNEL, "oak-house"), "setup");
    const again = await say(interaction("UBOB", TEAM_CHANNEL, "oak-house"), "setup");
    expect(again).toContain("This channel is already the team space for #oak-house.");
    expect(await teams()).toHaveLength(1);
    expect(await audit("team.created")).toHaveLength(1);
  });

  it("makes one team however many setups arrive at once", async () => {
    const replies = await Promise.all(["U1", "U2", "U3", "U4", "U5"].map((u) => say(interaction(u, TEAM_CHANNEL, "oak-house"), "setup")));
    expect(replies.filter((r) => r.includes("is now the team space"))).toHaveLength(1);
    expect(replies.filter((r) => r.includes("is already the team space"))).toHaveLength(4);
    expect(await teams()).toHaveLength(1);
  });

  it("keeps separate team spaces for separate channels", async () => {
    await say(interaction("UALICE", "COAK", "oak-house"), "setup");
    await say(interaction("UBOB", "CELM", "elm-lodge"), "setup");
    expect((await teams()).map((t) => t.name)).toEqual(["oak-house", "elm-lodge"]);
  });
});

describe("the lead", () => {
  beforeEach(async () => {
    await say(interaction("UALICE", TEAM_CHANNEL, "oak-house"), "setup");
  });

  it("can be set by anyone while the team has none", async () => {
    const reply = await say("UBOB", "lead <@ULEAD>");
    expect(reply).toContain("@ULEAD is now the lead for #oak-house");
    expect(reply).toMatch(/told of restricted incidents at once, by direct message/);
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:ULEAD" });
    expect(await audit("team.lead_set")).toEqual([expect.objectContaining({ before: { leadId: null }, after: { leadId: "slack:T1:ULEAD" } })]);
  });

  it("can then be changed only by the lead", async () => {
    await say("UBOB", "lead <@ULEAD>");
    const refused = await say("UBOB", "lead <@UBOB>");
    expect(refused).toContain("Only the team's current lead can hand the lead role to someone else.");
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:ULEAD" });

    expect(await say("ULEAD", "lead <@UNEW>")).toContain("@UNEW is now the lead for #oak-house");
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:UNEW" });
    expect(await say("ULEAD", "lead <@ULEAD>")).toContain("Only the team's current lead");
  });

  it("takes console-style mentions too", async () => {
    expect(await say("UALICE", "lead @ULEAD")).toContain("@ULEAD is now the lead");
  });

  it("needs a team space first", async () => {
    const elsewhere = await createTestDatabase();
    try {
      const fresh = createDebrief({ db: elsewhere.db, deliveries: new FakeScheduler(), directories: { slack: directory }, config: readConfig({}), log: silentLog, now: () => new Date() });
      expect(await say("UALICE", "lead <@ULEAD>", fresh)).toMatch(/isn't a team space yet.*\/debrief setup/);
    } finally {
      await elsewhere.drop();
    }
  });

  it("says who it could not find when the platform does not know them", async () => {
    directory.missing.add("UGONE");
    expect(await say("UALICE", "lead <@UGONE>")).toMatch(/couldn't find the user UGONE/);
    expect((await teams())[0]).toMatchObject({ lead_id: null });
  });

  it("asks for a mention when none is given", async () => {
    const reply = await say("UALICE", "lead alex");
    expect(reply).toMatch(/Who is the team's lead\? Mention them/);
    expect(reply).toContain("/debrief lead @person");
  });
});

describe("reporting lines", () => {
  beforeEach(async () => {
    await say(interaction("UALICE", TEAM_CHANNEL, "oak-house"), "setup");
    await say("UALICE", "lead <@ULEAD>");
  });

  it("are set by the lead, and audited", async () => {
    const reply = await say("ULEAD", "manager <@USAM> <@UMGR>");
    expect(reply).toContain("@USAM now reports to @UMGR");
    expect(await person("USAM")).toMatchObject({ manager_id: "slack:T1:UMGR" });
    expect(await audit("person.manager_set")).toEqual([
      expect.objectContaining({ subject: "slack:T1:USAM", before: { managerId: null }, after: { managerId: "slack:T1:UMGR" } }),
    ]);
  });

  it("can be changed by the person's current manager", async () => {
    await say("ULEAD", "manager <@USAM> <@UMGR>");
    expect(await say("UMGR", "manager <@USAM> <@UMGR2>")).toContain("@USAM now reports to @UMGR2");
    expect(await person("USAM")).toMatchObject({ manager_id: "slack:T1:UMGR2" });
  });

  it("are refused to anyone else, including the person themselves", async () => {
    await say("ULEAD", "manager <@USAM> <@UMGR>");
    for (const who of ["UOTHER", "USAM", "UALICE"]) {
      expect(await say(who, "manager <@USAM> <@UFRIEND>"), who).toContain(
        "Only the team's lead, or the person's current manager, can change who they report to.",
      );
    }
    expect(await person("USAM")).toMatchObject({ manager_id: "slack:T1:UMGR" });
  });

  it("cannot make someone their own manager", async () => {
    expect(await say("ULEAD", "manager <@USAM> <@USAM>")).toMatch(/can't be their own manager/);
    expect((await person("USAM"))?.manager_id ?? null).toBeNull();
  });

  it("cannot make a loop of two", async () => {
    await say("ULEAD", "manager <@USAM> <@UMGR>");
    expect(await say("ULEAD", "manager <@UMGR> <@USAM>")).toMatch(/That would make a loop/);
    expect((await person("UMGR"))?.manager_id ?? null).toBeNull();
  });

  it("cannot make a loop further up the line", async () => {
    await say("ULEAD", "manager <@USAM> <@UMGR>");
    await say("ULEAD", "manager <@UMGR> <@UHEAD>");
    // USAM → UMGR → UHEAD; making UHEAD report to USAM would send escalations round for ever.
    expect(await say("ULEAD", "manager <@UHEAD> <@USAM>")).toMatch(/That would make a loop/);
    expect((await person("UHEAD"))?.manager_id ?? null).toBeNull();
  });

  it("lets only one of two opposite lines made at the same moment through", async () => {
    // Both people are known first, so the two changes race only over the reporting line itself.
    await say("ULEAD", "manager <@USAM> <@UMGR>");
    for (let round = 0; round < 10; round++) {
      await database.db.updateTable("person").set({ manager_id: null }).where("user_id", "in", ["USAM", "UMGR"]).execute();
      const replies = await Promise.all([say("ULEAD", "manager <@USAM> <@UMGR>"), say("ULEAD", "manager <@UMGR> <@USAM>")]);
      expect(replies.filter((r) => /That would make a loop/.test(r))).toHaveLength(1);
      const lines = [(await person("USAM"))?.manager_id ?? null, (await person("UMGR"))?.manager_id ?? null];
      expect(lines.filter((l) => l !== null)).toHaveLength(1);
    }
  });

  it("asks for both people when one is missing", async () => {
    const reply = await say("ULEAD", "manager <@USAM>");
    expect(reply).toMatch(/Who is their manager\?/);
    expect(reply).toContain("/debrief manager @person @manager");
  });
});

describe("settings", () => {
  it("shows the values in force", async () => {
    const configured = core(
      readConfig({
        TIME_ZONE: "Europe/Dublin",
        WORKING_HOURS: "Mon-Sat 07:30-19:00",
        REFLECTION_SCHEDULE: "P2D,P14D",
        REFLECTION_REMINDER: "PT12H",
        PROMPT_MIN_GAP: "PT2H",
        ESCALATION_LADDER: "PT0S:owner,P2D:manager,P5D:lead",
      }),
    );
    await say(interaction("UALICE", TEAM_CHANNEL, "oak-house"), "setup", configured);
    const reply = await say("UALICE", "settings", configured);
    expect(reply).toContain("Settings for #oak-house");
    expect(reply).toContain("Time zone: Europe/Dublin");
    expect(reply).toContain("Working hours: Mon, Tue, Wed, Thu, Fri, Sat 07:30–19:00");
    expect(reply).toContain("Reflection prompts after: P2D, P14D");
    expect(reply).toContain("Reminder after: PT12H");
    expect(reply).toContain("Least gap between prompts: PT2H");
    expect(reply).toContain("Escalation: owner after PT0S, manager after P2D, lead after P5D");
  });

  it("shows the defaults from DESIGN.md when nothing is configured", async () => {
    await say(interaction("UALICE", TEAM_CHANNEL, "oak-house"), "setup");
    const reply = await say("UALICE", "settings");
    expect(reply).toContain("Time zone: Europe/London");
    expect(reply).toContain("Working hours: Mon, Tue, Wed, Thu, Fri 08:00–18:00");
    expect(reply).toContain("Reflection prompts after: P1D, P7D, P30D");
    expect(reply).toContain("Escalation: owner after PT0S, manager after P1D, lead after P3D");
  });

  it("says always when working hours are off", async () => {
    const always = core(readConfig({ WORKING_HOURS: "always" }));
    expect(await say("UALICE", "settings", always)).toContain("Working hours: always");
  });
});
