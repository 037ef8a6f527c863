import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig, type Config } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import type { MessageView } from "../../src/views/view.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { replyOf, textOf } from "../support/outcomes.ts";

let database: TestDatabase;
let directory: FakeDirectory;
let debrief: Debrief;

function core(config: Config = readConfig({})): Debrief {
  return createDebrief({
    db: database.db,
    deliveries: new FakeScheduler(),
    directories: { slack: directory }, files: {}, prompts: new FakeScheduler(),
    config,
    log: silentLog,
    now: () => new Date(),
  });
}

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new FakeDirectory();
  // UADMIN is a workspace admin on the platform; nobody else is unless a test says so.
  directory.admins.add("UADMIN");
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
/** Direct messages recorded for delivery to one user, as plain text, oldest first. */
const dmsTo = async (userId: string) =>
  (
    await database.db.selectFrom("delivery").select("view").where("target_kind", "=", "person").where("target_id", "=", userId).orderBy("id").execute()
  ).map((row) => textOf(row.view as MessageView));
const audit = (action: string) => database.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

describe("team spaces", () => {
  it("makes the channel a team space, named after the channel, and says what comes next", async () => {
    const reply = await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
    expect(reply).toContain("This channel is now the team space for #oak-house");
    expect(reply).toContain("incidents are announced here");
    expect(reply).toMatch(/Next, set the team's safeguarding lead with \/debrief lead @person/);

    expect(await teams()).toEqual([expect.objectContaining({ workspace_id: "slack:T1", channel_id: TEAM_CHANNEL, name: "oak-house", lead_id: null })]);
    expect(await audit("team.created")).toHaveLength(1);
  });

  it("does not make whoever set it up a member of the team", async () => {
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
    expect(await person("UADMIN")).toMatchObject({ team_id: null });
  });

  it("names the team after the channel id when the platform gives no name", async () => {
    expect(await say("UADMIN", "setup")).toContain(`team space for #${TEAM_CHANNEL}`);
  });

  it("names the team after the channel without the NUL bytes and direction overrides the platform sent in its name", async () => {
    expect(await say(interaction("UADMIN", TEAM_CHANNEL, "oak\u0000-\u202ehouse"), "setup")).toContain("team space for #oak-house");
    expect(await teams()).toEqual([expect.objectContaining({ name: "oak-house" })]);
    expect(await audit("team.created")).toHaveLength(1);
  });

  it("is refused in a direct message, saying where to run it", async () => {
    const reply = await say(interaction("UADMIN", null), "setup");
    expect(reply).toMatch(/Run \/debrief setup in your team's channel, not in a direct message/);
    expect(await teams()).toEqual([]);
  });

  it("is refused to someone who is neither an admin nor a lead, naming who can", async () => {
    const reply = await say(interaction("UOUTSIDER", "CMINE", "my-channel"), "setup");
    expect(reply).toContain("Only an admin, or a team's lead, can make a channel a team space. Ask one of them to run /debrief setup here.");
    expect(await teams()).toEqual([]);
  });

  it("lets a team's lead make another channel a team space", async () => {
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
    await say("UADMIN", "lead <@ULEAD>");
    expect(await say(interaction("ULEAD", "CELM", "elm-lodge"), "setup")).toContain("now the team space for #elm-lodge");
  });

  it("lets an admin listed in DEBRIEF_ADMINS set one up", async () => {
    const configured = core(readConfig({ DEBRIEF_ADMINS: "UHELPDESK" }));
    expect(await say(interaction("UHELPDESK", TEAM_CHANNEL, "oak-house"), "setup", configured)).toContain("now the team space for #oak-house");
  });

  it("is idempotent: a second setup in the same channel says so and changes nothing", async () => {
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
    const again = await say(interaction("UBOB", TEAM_CHANNEL, "oak-house"), "setup");
    expect(again).toContain("This channel is already the team space for #oak-house.");
    expect(await teams()).toHaveLength(1);
    expect(await audit("team.created")).toHaveLength(1);
  });

  it("makes one team however many setups arrive at once", async () => {
    for (const u of ["U1", "U2", "U3", "U4", "U5"]) directory.admins.add(u);
    const replies = await Promise.all(["U1", "U2", "U3", "U4", "U5"].map((u) => say(interaction(u, TEAM_CHANNEL, "oak-house"), "setup")));
    expect(replies.filter((r) => r.includes("is now the team space"))).toHaveLength(1);
    expect(replies.filter((r) => r.includes("is already the team space"))).toHaveLength(4);
    expect(await teams()).toHaveLength(1);
  });

  it("keeps separate team spaces for separate channels", async () => {
    await say(interaction("UADMIN", "COAK", "oak-house"), "setup");
    await say(interaction("UADMIN", "CELM", "elm-lodge"), "setup");
    expect((await teams()).map((t) => t.name)).toEqual(["oak-house", "elm-lodge"]);
  });
});

describe("the lead", () => {
  beforeEach(async () => {
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
  });

  it("is first appointed by an admin, audited, and the new lead is told", async () => {
    const reply = await say("UADMIN", "lead <@ULEAD>");
    expect(reply).toContain("@ULEAD is now the lead for #oak-house");
    expect(reply).toMatch(/told of restricted incidents at once, by direct message/);
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:ULEAD" });
    expect(await audit("team.lead_set")).toEqual([expect.objectContaining({ before: { leadId: null }, after: { leadId: "slack:T1:ULEAD" } })]);
    expect(await dmsTo("ULEAD")).toEqual([
      expect.stringContaining("You are now the lead for #oak-house (set by @UADMIN)"),
      expect.stringContaining("You are now a member of #oak-house in Debrief (set by @UADMIN)"),
    ]);
    expect(await person("ULEAD")).toMatchObject({ team_id: (await teams())[0]!.id });
  });

  it("is not appointed first by anyone but an admin, naming who can", async () => {
    const reply = await say("UBOB", "lead <@UBOB>");
    expect(reply).toContain("Only an admin can appoint a team's first lead. Ask a workspace admin to run /debrief lead here.");
    expect((await teams())[0]).toMatchObject({ lead_id: null });
    expect(await audit("team.lead_set")).toEqual([]);
  });

  it("is handed on by the current lead or an admin, and both old and new lead are told", async () => {
    await say("UADMIN", "lead <@ULEAD>");
    const refused = await say("UBOB", "lead <@UBOB>");
    expect(refused).toContain("Only an admin, or the team's current lead, can hand the lead role on.");
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:ULEAD" });

    expect(await say("ULEAD", "lead <@UNEW>")).toContain("@UNEW is now the lead for #oak-house");
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:UNEW" });
    expect(await dmsTo("UNEW")).toContainEqual(expect.stringContaining("You are now the lead for #oak-house (set by @ULEAD)"));
    expect(await say("ULEAD", "lead <@ULEAD>")).toContain("Only an admin, or the team's current lead, can hand the lead role on.");

    expect(await say("UADMIN", "lead <@ULEAD>")).toContain("@ULEAD is now the lead");
    expect(await dmsTo("UNEW")).toContainEqual(expect.stringContaining("@ULEAD is now the lead for #oak-house in your place (set by @UADMIN)"));
  });

  it("is handed on by the current lead, not an admin, and the new lead is told while the old lead hears it in the reply", async () => {
    await say("UADMIN", "lead <@ULEAD>");
    const before = await dmsTo("ULEAD");

    // As when an admin hands it on: the change is confirmed to whoever made it, naming the new lead.
    const reply = await say("ULEAD", "lead <@UNEW>");
    expect(reply).toContain("@UNEW is now the lead for #oak-house");
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:UNEW" });
    expect((await audit("team.lead_set")).at(-1)).toMatchObject({
      actor_id: "slack:T1:ULEAD",
      before: { leadId: "slack:T1:ULEAD" },
      after: { leadId: "slack:T1:UNEW" },
    });
    // The new lead is told who made them lead.
    expect(await dmsTo("UNEW")).toContainEqual(expect.stringContaining("You are now the lead for #oak-house (set by @ULEAD)"));
    // The old lead made the change, so the reply is their word of it: no direct message telling them of their own act.
    expect(await dmsTo("ULEAD")).toEqual(before);
    expect(before.join("\n")).not.toContain("in your place");
    // And the old lead cannot take it back: the role is now the new lead's, or an admin's, to hand on.
    expect(await say("ULEAD", "lead <@ULEAD>")).toContain("Only an admin, or the team's current lead, can hand the lead role on.");
    expect((await teams())[0]).toMatchObject({ lead_id: "slack:T1:UNEW" });
  });

  it("needs a team space first", async () => {
    const elsewhere = await createTestDatabase();
    try {
      const fresh = createDebrief({ db: elsewhere.db, deliveries: new FakeScheduler(), directories: { slack: directory }, files: {}, prompts: new FakeScheduler(), config: readConfig({}), log: silentLog, now: () => new Date() });
      expect(await say("UADMIN", "lead <@ULEAD>", fresh)).toMatch(/isn't a team space yet.*\/debrief setup/);
    } finally {
      await elsewhere.drop();
    }
  });

  it("says who it could not find when the platform does not know them", async () => {
    directory.missing.add("UGONE");
    expect(await say("UADMIN", "lead <@UGONE>")).toMatch(/couldn't find the user UGONE/);
    expect((await teams())[0]).toMatchObject({ lead_id: null });
  });

  it("asks for a mention when none is given", async () => {
    const reply = await say("UADMIN", "lead alex");
    expect(reply).toMatch(/Who is the team's lead\? Mention them/);
    expect(reply).toContain("/debrief lead @person");
  });
});

describe("reporting lines", () => {
  beforeEach(async () => {
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
    await say("UADMIN", "lead <@ULEAD>");
  });

  it("are set by the lead, audited, and everyone they touch is told", async () => {
    const reply = await say("ULEAD", "manager <@USAM> <@UMGR>");
    expect(reply).toContain("@USAM now reports to @UMGR");
    expect(await person("USAM")).toMatchObject({ manager_id: "slack:T1:UMGR", team_id: (await teams())[0]!.id });
    expect(await audit("person.manager_set")).toEqual([
      expect.objectContaining({ subject: "slack:T1:USAM", before: { managerId: null }, after: { managerId: "slack:T1:UMGR" } }),
    ]);
    expect(await audit("person.team_set")).toContainEqual(expect.objectContaining({ subject: "slack:T1:USAM", before: { teamId: null } }));
    expect(await dmsTo("USAM")).toContainEqual(expect.stringContaining("Your line manager in Debrief is now @UMGR (set by @ULEAD)"));
    expect(await dmsTo("UMGR")).toEqual([expect.stringContaining("@USAM now reports to you in Debrief (set by @ULEAD)")]);

    await say("ULEAD", "manager <@USAM> <@UMGR2>");
    expect(await dmsTo("UMGR")).toContainEqual(expect.stringContaining("@USAM no longer reports to you in Debrief; they now report to @UMGR2"));
    expect(await dmsTo("USAM")).toContainEqual(expect.stringContaining("Your line manager in Debrief is now @UMGR2 instead of @UMGR"));
  });

  it("are set by an admin", async () => {
    expect(await say("UADMIN", "manager <@USAM> <@UMGR>")).toContain("@USAM now reports to @UMGR");
  });

  it("are refused to anyone else, including the person, their manager and the would-be manager", async () => {
    await say("ULEAD", "manager <@USAM> <@UMGR>");
    for (const who of ["UOTHER", "USAM", "UMGR", "UFRIEND"]) {
      expect(await say(who, "manager <@USAM> <@UFRIEND>"), who).toContain(
        "Only an admin, or the lead of that person's team (never about themselves; someone with no team yet: the lead of this channel's team, unless they are in another team's incidents), can set someone's manager.",
      );
    }
    expect(await person("USAM")).toMatchObject({ manager_id: "slack:T1:UMGR" });
  });

  it("are never set by the lead about themselves", async () => {
    const reply = await say("ULEAD", "manager <@ULEAD> <@UFRIEND>");
    expect(reply).toContain("Nobody sets their own reporting line: ask your team's lead.");
    expect(await say("ULEAD", "manager <@USAM> <@ULEAD>")).toContain("Nobody sets their own reporting line");
    expect((await person("USAM"))?.manager_id ?? null).toBeNull();
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
    await say("ULEAD", "manager <@UMGR> <@UHEAD>");
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

describe("home teams", () => {
  beforeEach(async () => {
    await say(interaction("UADMIN", "COAK", "oak-house"), "setup");
    await say(interaction("UADMIN", "COAK", "oak-house"), "lead <@ULEAD>");
    await say(interaction("UADMIN", "CELM", "elm-lodge"), "setup");
    await say(interaction("UADMIN", "CELM", "elm-lodge"), "lead <@UELMLEAD>");
  });

  const oak = async () => (await teams()).find((t) => t.name === "oak-house")!.id;
  const elm = async () => (await teams()).find((t) => t.name === "elm-lodge")!.id;

  it("are set by a person's first report from a team channel, audited, and not by reading", async () => {
    await debrief.command(interaction("USAM", "CELM"), "incident", "list");
    await debrief.command(interaction("USAM", "CELM"), "debrief", "settings");
    expect(await person("USAM")).toMatchObject({ team_id: null });

    await debrief.command(interaction("USAM", "COAK"), "incident", "medication low Missed evening meds");
    expect(await person("USAM")).toMatchObject({ team_id: await oak() });
    expect(await audit("person.team_set")).toContainEqual(expect.objectContaining({ subject: "slack:T1:USAM", actor_id: "slack:T1:USAM", before: { teamId: null } }));

    // A later report from another team's channel does not move them.
    await debrief.command(interaction("USAM", "CELM"), "incident", "premises low Broken gate");
    expect(await person("USAM")).toMatchObject({ team_id: await oak() });
  });

  it("are changed on purpose by an admin or the lead of the team they leave, audited, and the person is told", async () => {
    // Someone with no team yet may be taken in by the lead of the team they join.
    await say(interaction("ULEAD", "COAK"), "member <@USAM>");
    expect(await person("USAM")).toMatchObject({ team_id: await oak() });
    const refusal =
      "Only an admin, or the lead of the team they leave (someone with no team yet: the lead of the team they join, unless they are in another team's incidents; their first report from a team channel also sets it), can change someone's home team.";
    expect(await say(interaction("UOTHER", "CELM"), "member <@USAM>")).toContain(refusal);
    expect(await person("USAM")).toMatchObject({ team_id: await oak() });

    expect(await say(interaction("ULEAD", "CELM"), "member <@USAM>")).toContain("@USAM is now a member of #elm-lodge");
    expect(await person("USAM")).toMatchObject({ team_id: await elm() });
    expect(await dmsTo("USAM")).toContainEqual(expect.stringContaining("You are now a member of #elm-lodge in Debrief (set by @ULEAD)"));
    expect((await audit("person.team_set")).filter((a) => a.subject === "slack:T1:USAM").map((a) => a.after)).toEqual([{ teamId: await oak() }, { teamId: await elm() }]);
  });

  it("are not changed by the lead of the team someone would join, so a lead elsewhere cannot take a member and read their incidents", async () => {
    await debrief.command(interaction("UALICE", "COAK"), "incident", "safeguarding Disclosure at bedtime");
    const refused = await say(interaction("UELMLEAD", "CELM"), "member <@UALICE>");
    expect(refused).toContain("can change someone's home team");
    expect(await person("UALICE")).toMatchObject({ team_id: await oak() });
    // Still her own team's lead's to place: the reporting line the other lead would set is refused too.
    expect(await say(interaction("UELMLEAD", "CELM"), "manager <@UALICE> <@UACCOMPLICE>")).toContain("can set someone's manager");
    const seen = textOf(replyOf(await debrief.command(interaction("UACCOMPLICE", null), "incident", "show INC-1")));
    expect(seen).not.toContain("Disclosure");
  });

  it("tell the lead of the team someone is taken from, so a move cannot pass unnoticed", async () => {
    await say(interaction("ULEAD", "COAK"), "member <@USAM>");
    await say(interaction("UADMIN", "CELM"), "member <@USAM>");
    expect(await dmsTo("ULEAD")).toContainEqual(
      expect.stringContaining("@USAM is no longer a member of #oak-house; they are now in #elm-lodge (set by @UADMIN)"),
    );
  });
});

describe("a hostile colleague", () => {
  beforeEach(async () => {
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
    await say("UADMIN", "lead <@ULEAD>");
    await say("ULEAD", "manager <@UREPORTER> <@UMGR>");
  });

  it("cannot make themselves someone's manager from a channel of their own, so a restricted incident stays closed to them", async () => {
    await debrief.command(interaction("UREPORTER"), "incident", "safeguarding Disclosure made during key work");
    // The takeover: a space of their own, then themselves as the reporter's manager.
    expect(await say(interaction("UOUTSIDER", "CMINE", "mine"), "setup")).toContain("Only an admin, or a team's lead, can make a channel a team space.");
    expect(await say(interaction("UOUTSIDER", TEAM_CHANNEL), "manager <@UREPORTER> <@UOUTSIDER>")).toContain("can set someone's manager");
    expect(await say(interaction("UOUTSIDER", TEAM_CHANNEL), "lead <@UOUTSIDER>")).toContain("can hand the lead role on");

    expect(await person("UREPORTER")).toMatchObject({ manager_id: "slack:T1:UMGR" });
    const seen = textOf(replyOf(await debrief.command(interaction("UOUTSIDER"), "incident", "show INC-1")));
    expect(seen).not.toContain("Disclosure");
    expect(seen).toContain("restricted");
  });

  it("cannot place someone who is only mentioned in this team's incidents, and so read a restricted one, from a team they lead elsewhere", async () => {
    await say(interaction("UADMIN", "CMINE", "mine"), "setup");
    await say(interaction("UADMIN", "CMINE", "mine"), "lead <@UOUTSIDER>");
    // Sam is involved (mentioned), not yet anyone's member: no home team.
    await debrief.command(interaction("UREPORTER", TEAM_CHANNEL), "incident", "safeguarding Disclosure about a staff member <@USAM>");
    expect(await person("USAM")).toMatchObject({ team_id: null });

    expect(await say(interaction("UOUTSIDER", "CMINE"), "manager <@USAM> <@UACCOMPLICE>")).toContain(
      "Only an admin, or the lead of that person's team (never about themselves; someone with no team yet: the lead of this channel's team, unless they are in another team's incidents), can set someone's manager.",
    );
    expect(await say(interaction("UOUTSIDER", "CMINE"), "member <@USAM>")).toContain("can change someone's home team");
    expect(await person("USAM")).toMatchObject({ team_id: null, manager_id: null });
    expect(await audit("person.manager_set")).not.toContainEqual(expect.objectContaining({ subject: "slack:T1:USAM" }));
    expect(await dmsTo("USAM")).not.toContainEqual(expect.stringContaining("UACCOMPLICE"));
    const seen = textOf(replyOf(await debrief.command(interaction("UACCOMPLICE"), "incident", "show INC-1")));
    expect(seen).not.toContain("Disclosure");

    // Their own team's lead still can, and an admin from anywhere.
    expect(await say(interaction("ULEAD", TEAM_CHANNEL), "manager <@USAM> <@UMGR>")).toContain("Reporting line set");
    expect(await person("USAM")).toMatchObject({ manager_id: "slack:T1:UMGR" });
  });

  it("cannot divert a new colleague's safeguarding reports to a team they lead elsewhere", async () => {
    // Even a lead of another team cannot claim a member of this one.
    await say(interaction("UADMIN", "CMINE", "mine"), "setup");
    await say(interaction("UADMIN", "CMINE", "mine"), "lead <@UOUTSIDER>");
    await debrief.command(interaction("UNEW", TEAM_CHANNEL), "incident", "premises low Loose handrail");
    expect(await say(interaction("UOUTSIDER", "CMINE"), "manager <@UNEW> <@UOUTSIDER>")).toContain("Nobody sets their own reporting line");
    expect(await say(interaction("UOUTSIDER", "CMINE"), "manager <@UNEW> <@UACCOMPLICE>")).toContain("can set someone's manager");
    expect(await say(interaction("UOUTSIDER", "CMINE"), "member <@UNEW>")).toContain("can change someone's home team");

    // UNEW's next safeguarding report from a direct message goes to their own team's lead.
    await debrief.command(interaction("UNEW", null), "incident", "safeguarding Bruise noticed at bath time");
    const leadDms = await dmsTo("ULEAD");
    expect(leadDms.some((t) => t.includes("Bruise noticed at bath time"))).toBe(true);
    expect((await dmsTo("UOUTSIDER")).some((t) => t.includes("Bruise"))).toBe(false);
    // And it is announced in their own team's channel, never in the other lead's.
    const postsIn = async (channelId: string) =>
      (
        await database.db.selectFrom("delivery").select("view").where("target_kind", "=", "channel").where("target_id", "=", channelId).orderBy("id").execute()
      ).map((row) => textOf(row.view as MessageView));
    expect((await postsIn(TEAM_CHANNEL)).some((t) => t.includes("INC-2"))).toBe(true);
    expect((await postsIn("CMINE")).some((t) => t.includes("INC-2") || t.includes("Bruise"))).toBe(false);
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
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup", configured);
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
    await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "setup");
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
