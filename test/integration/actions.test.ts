import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import type { Directory, PersonProfile, PersonRef } from "../../src/ports.ts";
import type { FormValues, MessageView } from "../../src/views/view.ts";
import { FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { doneOf, errorsOf, formOf, replyOf, textOf } from "../support/outcomes.ts";

/**
 * Follow-up actions through the core, on a real Postgres. The cast: alice reports incidents; lead leads the team;
 * sam owns actions and reports to mgr; other is a colleague outside every incident; nyc works from New York.
 */

const config = readConfig({});

// Wednesday 25 November 2026, 10:00 in London.
const WEDNESDAY = new Date("2026-11-25T10:00:00Z");

/** A platform directory where each user may have their own time zone (London unless told). */
class ZonedDirectory implements Directory {
  readonly zones = new Map<string, string | null>();
  readonly missing = new Set<string>();

  async profile(person: PersonRef): Promise<PersonProfile> {
    if (this.missing.has(person.userId)) throw new Error(`user_not_found: ${person.userId}`);
    const zone = this.zones.get(person.userId);
    return { displayName: person.userId.slice(1).toLowerCase(), timeZone: zone === undefined ? "Europe/London" : zone, isAdmin: person.userId === "UADMIN" };
  }
}

let database: TestDatabase;
let directory: ZonedDirectory;
let scheduler: FakeScheduler;
let debrief: Debrief;
let clock: Date;

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new ZonedDirectory();
  scheduler = new FakeScheduler();
  clock = WEDNESDAY;
  debrief = createDebrief({ db: database.db, deliveries: scheduler, directories: { slack: directory }, files: {}, prompts: new FakeScheduler(), config, log: silentLog, now: () => clock });
});

afterEach(async () => {
  await database.drop();
});

// ── what a user sees ─────────────────────────────────────────────────────────

async function say(who: Interaction | string, name: "incident" | "action" | "debrief", text: string): Promise<string> {
  const actor = typeof who === "string" ? interaction(who) : who;
  return textOf(replyOf(await debrief.command(actor, name, text)));
}

/** /action, typed by someone in a direct message with the bot: actions do not depend on where they are typed. */
const act = (who: string, text: string) => say(interaction(who, null), "action", text);

// ── what is stored ───────────────────────────────────────────────────────────

const actionRow = (number: number) => database.db.selectFrom("action").selectAll().where("number", "=", number).executeTakeFirstOrThrow();
const actionRows = () => database.db.selectFrom("action").selectAll().orderBy("number").execute();
const auditRows = (action: string) => database.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();
/** Direct messages about actions recorded for delivery to one user, oldest first (not the lead's incident briefings). */
const dmsTo = (userId: string) =>
  database.db
    .selectFrom("delivery")
    .selectAll()
    .where("target_kind", "=", "person")
    .where("target_id", "=", userId)
    .where("dedupe_key", "like", "action-%")
    .orderBy("id")
    .execute();
const dmText = (row: { view: object }) => textOf(row.view as MessageView);

// ── a team with incidents ─────────────────────────────────────────────────────

/** Sets up the team (lead, sam reporting to mgr) and has alice log INC-1 (medication) and INC-2 (safeguarding, restricted). */
async function teamWithIncidents(): Promise<void> {
  await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
  await say("UADMIN", "debrief", "lead <@ULEAD>");
  await say("ULEAD", "debrief", "manager <@USAM> <@UMGR>");
  expect(await say("UALICE", "incident", "medication low Missed evening meds at Oak House")).toContain("Logged INC-1");
  expect(await say("UALICE", "incident", "safeguarding Disclosure by OH-17 about a visitor")).toContain("Logged INC-2");
}

describe("adding an action", () => {
  beforeEach(teamWithIncidents);

  // The sweep first looks at an action a working day before it is due (the reminder, stage 0), or, when that has
  // passed already, at its due time (the ladder's first step, stage 1).
  it.each([
    ["by 2026-12-01", "2026-12-01T17:00:00.000Z", "Tue 1 Dec, 17:00", "2026-11-30T17:00:00.000Z", 0],
    ["by friday", "2026-11-27T17:00:00.000Z", "Fri 27 Nov, 17:00", "2026-11-26T17:00:00.000Z", 0],
    ["in 3 days", "2026-11-28T17:00:00.000Z", "Sat 28 Nov, 17:00", "2026-11-27T17:00:00.000Z", 0],
    ["tomorrow 5pm", "2026-11-26T17:00:00.000Z", "Thu 26 Nov, 17:00", "2026-11-25T17:00:00.000Z", 0],
    ["today 5pm", "2026-11-25T17:00:00.000Z", "Wed 25 Nov, 17:00", "2026-11-25T17:00:00.000Z", 1],
    ["next monday", "2026-11-30T17:00:00.000Z", "Mon 30 Nov, 17:00", "2026-11-27T17:00:00.000Z", 0],
    ["2026-12-01T14:30", "2026-12-01T14:30:00.000Z", "Tue 1 Dec, 14:30", "2026-11-30T14:30:00.000Z", 0],
    ["2027-01-04T09:00Z", "2027-01-04T09:00:00.000Z", "Mon 4 Jan 2027, 09:00", "2027-01-01T09:00:00.000Z", 0],
  ])("reads %s as due %s, tells the owner by DM, and audits it", async (due, dueAt, label, firstStep, stage) => {
    const reply = await act("UALICE", `INC-1 <@USAM> ${due} Update the MAR chart check at handover`);

    expect(reply).toContain("Added A-1 for INC-1");
    expect(reply).toContain("Update the MAR chart check at handover");
    expect(reply).toContain("Owner: @USAM");
    expect(reply).toContain(`Due: ${label}`);

    const row = await actionRow(1);
    expect(row).toMatchObject({
      title: "Update the MAR chart check at handover",
      owner_id: "slack:T1:USAM",
      created_by: "slack:T1:UALICE",
      status: "open",
      escalation_step: stage,
      done_at: null,
      owner_extended_at: null,
    });
    expect(row.due_at.toISOString()).toBe(dueAt);
    expect(row.next_step_at?.toISOString()).toBe(firstStep);

    const [dm, ...more] = await dmsTo("USAM");
    expect(more).toEqual([]);
    expect(dm).toMatchObject({ dedupe_key: `action-${row.id}-assigned`, status: "pending", platform: "slack", workspace_id: "T1" });
    expect(dm!.view).toMatchObject({ text: `You have a new action A-1 for INC-1: Update the MAR chart check at handover — due ${label}` });
    expect(scheduler.scheduled).toContain(String(dm!.id));

    const [audit] = await auditRows("action.added");
    expect(audit).toMatchObject({ actor_id: "slack:T1:UALICE", subject: "A-1", before: null });
    expect(audit!.after).toMatchObject({ ref: "A-1", incidentRef: "INC-1", title: "Update the MAR chart check at handover", ownerId: "slack:T1:USAM" });
  });

  it("names the owner and whoever added the action by display name for platforms that show names, and marks the commands to type", async () => {
    const added = replyOf(await debrief.command(interaction("UALICE", null), "action", "INC-1 <@USAM> by friday Call the pharmacy"));
    expect(added.sections?.[2]?.fields?.[0]).toEqual({ label: "Owner", value: [{ mention: "USAM", name: "sam" }] });

    const [dm] = await dmsTo("USAM");
    const view = dm!.view as MessageView;
    expect(view.sections?.[2]?.fields?.[1]).toEqual({ label: "Added by", value: [{ mention: "UALICE", name: "alice" }] });
    expect(view.context).toEqual([
      "When it's done: ",
      { command: "action done A-1 [note]" },
      ". If it can't be done in time: ",
      { command: "action extend A-1 <when>" },
      ".",
    ]);
    // What Slack and the console show is unchanged.
    expect(dmText(dm!)).toContain("Added by: @UALICE");
    expect(dmText(dm!)).toContain("When it's done: /action done A-1 [note]. If it can't be done in time: /action extend A-1 <when>.");
  });

  it("reads the due time in the actor's own zone, and shows the owner it in theirs", async () => {
    directory.zones.set("UNYC", "America/New_York");
    await say("ULEAD", "debrief", "manager <@UALICE> <@UNYC>"); // alice's manager sees INC-1's details
    const reply = await act("UNYC", "INC-1 <@USAM> today 5pm Call the pharmacy");

    expect(reply).toContain("Due: Wed 25 Nov, 17:00"); // 17:00 in New York, to the New Yorker
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-25T22:00:00.000Z");
    const [dm] = await dmsTo("USAM");
    expect(dmText(dm!)).toContain("Due: Wed 25 Nov, 22:00"); // the same moment, in London, to sam
  });

  it("falls back to the configured zone when the actor's profile has none", async () => {
    directory.zones.set("UALICE", null);
    await act("UALICE", "INC-1 <@USAM> tomorrow 5pm Call the pharmacy");
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-26T17:00:00.000Z");
  });

  it("numbers actions A-1, A-2 … across incidents in the workspace", async () => {
    expect(await act("UALICE", "INC-1 <@USAM> by friday Check the MAR chart")).toContain("Added A-1 for INC-1");
    expect(await act("UALICE", "INC-2 <@ULEAD> tomorrow Refer to the LADO")).toContain("Added A-2 for INC-2");
    expect((await actionRows()).map((r) => r.number)).toEqual([1, 2]);
  });

  it("tells an owner who adds their own action by DM too, so it stays in their messages", async () => {
    expect(await act("ULEAD", "INC-1 <@ULEAD> by friday Review the handover sheet")).toContain("It is in your direct messages too.");
    expect(await dmsTo("ULEAD")).toHaveLength(1);
  });
});

describe("bad input to /action", () => {
  beforeEach(teamWithIncidents);

  const USAGE_LINE = "/action INC-12 @owner <due> <text…>";

  async function nothingStored(): Promise<void> {
    expect(await actionRows()).toEqual([]);
    expect(await dmsTo("USAM")).toEqual([]);
    expect(await auditRows("action.added")).toEqual([]);
  }

  it("says an unreadable due date could not be read, with the right form and what was typed", async () => {
    const typed = "INC-1 <@USAM> by frday Update the MAR chart";
    const reply = await act("UALICE", typed);
    expect(reply).toContain("I couldn't read `by frday` as a date. Try by friday, in 3 days, tomorrow 5pm or 2026-12-01.");
    expect(reply).toContain(USAGE_LINE);
    expect(reply).toContain(`You typed: ${typed}`);
    await nothingStored();
  });

  it("asks again for a due date in the past", async () => {
    const reply = await act("UALICE", "INC-1 <@USAM> by 2026-11-01 Update the MAR chart");
    expect(reply).toContain("That's in the past — when should it be done by?");
    expect(reply).toContain("You typed: INC-1 <@USAM> by 2026-11-01 Update the MAR chart");
    await nothingStored();
  });

  it("asks who owns it when nobody is mentioned", async () => {
    const reply = await act("UALICE", "INC-1 sam by friday Update the MAR chart");
    expect(reply).toContain("Who owns this action? Mention them, e.g. @sam.");
    expect(reply).toContain(USAGE_LINE);
    expect(reply).toContain("You typed: INC-1 sam by friday Update the MAR chart");
    await nothingStored();
  });

  it("says when the owner is not a user it can find", async () => {
    directory.missing.add("UGHOST");
    const reply = await act("UALICE", "INC-1 <@UGHOST> by friday Update the MAR chart");
    expect(reply).toContain("I couldn't find the user UGHOST");
    expect(reply).toContain("You typed: INC-1 <@UGHOST> by friday Update the MAR chart");
    await nothingStored();
  });

  it("gives back what was typed, & and < included", async () => {
    const reply = await act("UALICE", "INC-99 <@USAM> by friday Check fridge & freezer <daily>");
    expect(reply).toContain("You typed: INC-99 <@USAM> by friday Check fridge & freezer <daily>");
  });

  it("says when the incident does not exist, and takes no action number", async () => {
    const reply = await act("UALICE", "INC-99 <@USAM> by friday Update the MAR chart");
    expect(reply).toContain("I couldn't find INC-99 in this workspace.");
    expect(reply).toContain(USAGE_LINE);
    expect(reply).toContain("You typed: INC-99 <@USAM> by friday Update the MAR chart");
    await nothingStored();
    expect(await act("UALICE", "INC-1 <@USAM> by friday Update the MAR chart")).toContain("Added A-1");
  });

  it("refuses an NHS number in the action", async () => {
    const reply = await act("UALICE", "INC-1 <@USAM> by friday Call about 943 476 5919");
    expect(reply).toContain("NHS number");
    expect(reply).toContain("You typed:");
    await nothingStored();
  });
});

describe("who may add an action", () => {
  beforeEach(teamWithIncidents);

  it("lets the reporter, the lead and a manager of the reporter add one", async () => {
    await say("ULEAD", "debrief", "manager <@UALICE> <@UMGR>");
    expect(await act("UALICE", "INC-1 <@USAM> by friday One")).toContain("Added A-1");
    expect(await act("ULEAD", "INC-1 <@USAM> by friday Two")).toContain("Added A-2");
    expect(await act("UMGR", "INC-1 <@USAM> by friday Three")).toContain("Added A-3");
  });

  it("politely refuses a colleague who cannot see the incident's details", async () => {
    const reply = await act("UOTHER", "INC-1 <@USAM> by friday Update the MAR chart");
    expect(reply).toContain(
      "Only those who can see the details of INC-1 — its reporter, the staff involved, their managers and the team lead — can add actions to it.",
    );
    expect(await actionRows()).toEqual([]);
  });
});

describe("listing actions", () => {
  beforeEach(async () => {
    await teamWithIncidents();
    await act("UALICE", "INC-1 <@USAM> next monday Review the medication policy");
    await act("UALICE", "INC-1 <@USAM> tomorrow 5pm Check the MAR chart at handover");
    await act("ULEAD", "INC-2 <@USAM> by friday Write up the disclosure for the LADO");
    await act("UALICE", "INC-1 <@UOTHER> by friday Not sam's");
  });

  it("shows my open actions soonest due first, and marks the overdue", async () => {
    clock = new Date("2026-11-27T09:00:00Z"); // Friday morning: A-2 was due Thursday 17:00
    const reply = await act("USAM", "list");
    expect(reply).toContain("You have 3 open actions, 1 overdue");
    const lines = reply.split("\n").filter((l) => /^A-\d/.test(l));
    expect(lines).toEqual([
      "A-2 · INC-1 — Check the MAR chart at handover · overdue, was due Thu 26 Nov, 17:00",
      "A-3 · INC-2 — Write up the disclosure for the LADO · due Fri 27 Nov, 17:00",
      "A-1 · INC-1 — Review the medication policy · due Mon 30 Nov, 17:00",
    ]);
  });

  it("leaves done actions out", async () => {
    await act("USAM", "done A-2");
    const reply = await act("USAM", "list");
    expect(reply).toContain("You have 2 open actions");
    expect(reply).not.toContain("A-2");
  });

  it("shows someone else's, hiding a restricted incident's titles from those who cannot see its details", async () => {
    const byManager = await act("UMGR", "list <@USAM>");
    expect(byManager).toContain("@USAM has 3 open actions");
    expect(byManager).toContain("A-3 (restricted incident) · due Fri 27 Nov, 17:00");
    expect(byManager).not.toContain("LADO");
    expect(byManager).toContain("A-2 · INC-1 — Check the MAR chart at handover");

    const byLead = await act("ULEAD", "list <@USAM>");
    expect(byLead).toContain("A-3 · INC-2 — Write up the disclosure for the LADO");
  });

  it("shows the owner their own action on a restricted incident, which they must read to do", async () => {
    expect(await act("USAM", "list")).toContain("A-3 · INC-2 — Write up the disclosure for the LADO");
    const [, , dm] = await dmsTo("USAM");
    expect(dmText(dm!)).toContain("Write up the disclosure for the LADO");
  });

  it("says when someone has none", async () => {
    expect(await act("ULEAD", "list")).toContain("You have no open actions.");
    expect(await act("ULEAD", "list <@UALICE>")).toContain("@UALICE has no open actions.");
  });
});

describe("marking an action done", () => {
  beforeEach(async () => {
    await teamWithIncidents();
    await act("UALICE", "INC-1 <@USAM> by friday Check the MAR chart at handover");
  });

  it("lets the owner close it with a note, audited, and takes it off the escalation sweep", async () => {
    clock = new Date("2026-11-26T15:00:00Z");
    const reply = await act("USAM", "done A-1 Added to the handover sheet");
    expect(reply).toContain("A-1 for INC-1: Check the MAR chart at handover is done. Thank you.");
    expect(reply).toContain("Note: Added to the handover sheet");

    expect(await actionRow(1)).toMatchObject({ status: "done", done_note: "Added to the handover sheet", done_at: clock, next_step_at: null });
    const [audit] = await auditRows("action.done");
    expect(audit).toMatchObject({ actor_id: "slack:T1:USAM", subject: "A-1" });
    expect(audit!.before).toMatchObject({ status: "open", doneNote: null });
    expect(audit!.after).toMatchObject({ status: "done", doneNote: "Added to the handover sheet" });
    expect(await dmsTo("USAM")).toHaveLength(1); // only the first assignment: sam did it himself
  });

  it.each([["UALICE"], ["UMGR"], ["ULEAD"]])("lets %s (reporter, owner's manager, lead) mark it done, and tells the owner", async (who) => {
    expect(await act(who, "done A-1")).toContain("is done");
    const [, told] = await dmsTo("USAM");
    expect(told).toMatchObject({ dedupe_key: `action-${(await actionRow(1)).id}-done` });
    expect(dmText(told!)).toContain(`A-1 for INC-1 was marked done by @${who}`);
  });

  it("politely refuses anyone else, and changes nothing", async () => {
    const reply = await act("UOTHER", "done A-1");
    expect(reply).toContain("Only the owner of A-1, their manager, the person who reported INC-1 or the team lead can mark it done.");
    expect(await actionRow(1)).toMatchObject({ status: "open" });
    expect(await auditRows("action.done")).toEqual([]);
  });

  it("says when it is already done, or does not exist", async () => {
    await act("USAM", "done A-1");
    expect(await act("USAM", "done A-1")).toContain("A-1 is already done.");
    const missing = await act("USAM", "done A-9");
    expect(missing).toContain("I couldn't find A-9 in this workspace.");
    expect(missing).toContain("/action done A-7 [note…]");
  });
});

describe("reassigning an action", () => {
  beforeEach(async () => {
    await teamWithIncidents();
    await act("UALICE", "INC-1 <@USAM> by friday Check the MAR chart at handover");
  });

  it("lets the owner hand it on: the new owner is told, the climb goes on where it was, and it is audited", async () => {
    // It is as late as it was: whoever was told is still owed it done, so handing it on does not start the ladder again.
    const climbing = new Date("2026-11-28T17:00:00.000Z");
    await database.db.updateTable("action").set({ escalation_step: 2, next_step_at: climbing }).where("number", "=", 1).execute();
    const reply = await act("USAM", "reassign A-1 <@UOTHER>");
    expect(reply).toContain("A-1 for INC-1: Check the MAR chart at handover is now owned by @UOTHER");

    const row = await actionRow(1);
    expect(row).toMatchObject({ owner_id: "slack:T1:UOTHER", escalation_step: 2, next_step_at: climbing });
    const [dm] = await dmsTo("UOTHER");
    expect(dm).toMatchObject({ dedupe_key: `action-${row.id}-reassigned-1` });
    expect(dmText(dm!)).toContain("You have been given action A-1 for INC-1");
    expect(dmText(dm!)).toContain("Given to you by: @USAM");
    expect(await dmsTo("USAM")).toHaveLength(1); // sam moved it himself: no need to tell him

    const [audit] = await auditRows("action.reassigned");
    expect(audit!.before).toMatchObject({ ownerId: "slack:T1:USAM" });
    expect(audit!.after).toMatchObject({ ownerId: "slack:T1:UOTHER" });
  });

  it("lets the owner's manager or the lead move it, telling both owners; each handover once", async () => {
    await act("UMGR", "reassign A-1 <@UOTHER>");
    await act("ULEAD", "reassign A-1 <@USAM>");
    const toSam = await dmsTo("USAM");
    expect(toSam.map((d) => d.dedupe_key)).toEqual([expect.stringMatching(/-assigned$/), expect.stringMatching(/-taken-1$/), expect.stringMatching(/-reassigned-2$/)]);
    expect(dmText(toSam[1]!)).toContain("A-1 for INC-1 is now owned by @UOTHER");
    expect((await dmsTo("UOTHER")).map((d) => d.dedupe_key)).toEqual([expect.stringMatching(/-reassigned-1$/), expect.stringMatching(/-taken-2$/)]);
  });

  it("politely refuses the reporter or a colleague, and changes nothing", async () => {
    expect(await act("UALICE", "reassign A-1 <@UOTHER>")).toContain("Only the owner of A-1, their manager or the team lead can give it to someone else.");
    expect(await act("UOTHER", "reassign A-1 <@UOTHER>")).toContain("Only the owner of A-1");
    expect(await actionRow(1)).toMatchObject({ owner_id: "slack:T1:USAM" });
    expect(await dmsTo("UOTHER")).toEqual([]);
  });

  it("says when the person already owns it, or it is done", async () => {
    expect(await act("USAM", "reassign A-1 <@USAM>")).toContain("sam already owns A-1.");
    await act("USAM", "done A-1");
    expect(await act("USAM", "reassign A-1 <@UOTHER>")).toContain("A-1 is already done, so it can't be reassigned.");
  });
});

describe("extending an action", () => {
  beforeEach(async () => {
    await teamWithIncidents();
    await act("UALICE", "INC-1 <@USAM> by friday Check the MAR chart at handover");
  });

  it("lets the owner move it once, restarting the ladder, audited", async () => {
    await database.db.updateTable("action").set({ escalation_step: 1 }).where("number", "=", 1).execute();
    const reply = await act("USAM", "extend A-1 next monday");
    expect(reply).toContain("A-1 for INC-1: Check the MAR chart at handover is now due Mon 30 Nov, 17:00.");
    expect(reply).toContain("That was your one move of this due date");

    const row = await actionRow(1);
    expect(row.due_at.toISOString()).toBe("2026-11-30T17:00:00.000Z");
    // The ladder starts again from the new due time: its reminder, a working day before.
    expect(row.next_step_at?.toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(row).toMatchObject({ escalation_step: 0, owner_extended_at: WEDNESDAY });
    const [audit] = await auditRows("action.extended");
    expect(audit!.before).toMatchObject({ dueAt: "2026-11-27T17:00:00.000Z" });
    expect(audit!.after).toMatchObject({ dueAt: "2026-11-30T17:00:00.000Z" });

    const again = await act("USAM", "extend A-1 in 2 weeks");
    expect(again).toContain("You have already moved the due date of A-1 once. To move it again, ask your manager or the team lead");
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-30T17:00:00.000Z");
  });

  it("lets the owner's manager and the lead move it as often as needed, telling the owner", async () => {
    await act("USAM", "extend A-1 next monday");
    expect(await act("UMGR", "extend A-1 2026-12-04")).toContain("is now due Fri 4 Dec, 17:00.");
    expect(await act("ULEAD", "extend A-1 2026-12-11")).toContain("is now due Fri 11 Dec, 17:00.");
    const moved = (await dmsTo("USAM")).slice(1);
    expect(moved.map((d) => d.dedupe_key)).toEqual([expect.stringMatching(/-extended-2$/), expect.stringMatching(/-extended-3$/)]);
    expect(dmText(moved[1]!)).toContain("A-1 for INC-1 is now due Fri 11 Dec, 17:00.");
    expect(dmText(moved[1]!)).toContain("@ULEAD moved it.");
  });

  it("politely refuses the reporter or a colleague", async () => {
    expect(await act("UALICE", "extend A-1 next monday")).toContain("Only the owner of A-1, their manager or the team lead can move its due date.");
    expect(await act("UOTHER", "extend A-1 next monday")).toContain("Only the owner of A-1");
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-27T17:00:00.000Z");
  });

  it("asks for a later time, or one it can read, keeping what was typed", async () => {
    const earlier = await act("USAM", "extend A-1 tomorrow");
    expect(earlier).toContain("A-1 is already due Fri 27 Nov, 17:00. To extend it, give a later time.");
    expect(earlier).toContain("You typed: extend A-1 tomorrow");
    const unreadable = await act("USAM", "extend A-1 whenever");
    expect(unreadable).toContain("I couldn't read `whenever` as a date.");
    expect(unreadable).toContain("/action extend A-7 <due>");
    // Neither used up sam's one move.
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: null });
  });
});

describe("how far a due date may go", () => {
  // From Wednesday 25 November 2026, a year ahead ends on Thursday 25 November 2027.
  const TOO_FAR = "That's more than a year ahead: a due date can be at most a year away, so Thu 25 Nov 2027 at the latest. When should it be done by?";
  // A-1 is due Friday 27 November at 17:00: 4 weeks on is Friday 25 December.
  const OWNER_LIMIT =
    "You can move A-1 yourself by up to 4 weeks from when it is due, so to Fri 25 Dec at the latest. For more, ask your manager or the team lead: they can extend it with /action extend A-1 <when>.";

  beforeEach(async () => {
    await teamWithIncidents();
    await act("UALICE", "INC-1 <@USAM> by friday Check the MAR chart at handover");
  });

  async function dueStill(dueAt: string): Promise<void> {
    expect((await actionRow(1)).due_at.toISOString()).toBe(dueAt);
    expect(await auditRows("action.extended")).toEqual([]);
  }

  it("refuses a new action due more than a year ahead, naming the limit, and saves nothing", async () => {
    const reply = await act("UALICE", "INC-1 <@USAM> by 2027-12-01 Review the medication policy");
    expect(reply).toContain(TOO_FAR);
    expect(reply).toContain("You typed: INC-1 <@USAM> by 2027-12-01 Review the medication policy");
    expect(await act("UALICE", "INC-1 <@USAM> 9999-12-31 Review the medication policy")).toContain(TOO_FAR);
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);
    expect(await dmsTo("USAM")).toHaveLength(1);
  });

  it("takes a new action due a year from today", async () => {
    expect(await act("UALICE", "INC-1 <@USAM> by 2027-11-25 Review the medication policy")).toContain("Due: Thu 25 Nov 2027, 17:00");
    expect((await actionRow(2)).due_at.toISOString()).toBe("2027-11-25T17:00:00.000Z");
  });

  it("answers 'in 100000 years' in the form politely beside the due date, and saves nothing", async () => {
    const values = { owner: ["USAM"], due: "in 100000 years", what: "Review the medication policy" };
    expect(errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", values, "INC-1"))).toEqual({ due: TOO_FAR });
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);
  });

  it("answers '/action … in 100000 years' politely, and saves nothing", async () => {
    // The command's parser decides where the due phrase ends: either answer asks for a date a person can keep to.
    const reply = await act("UALICE", "INC-1 <@USAM> in 100000 years Review the medication policy");
    expect(reply).toContain(TOO_FAR);
    expect(reply).toContain("You typed: INC-1 <@USAM> in 100000 years Review the medication policy");
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);
  });

  it("refuses '/action … by last friday' as past, rather than reading part of it", async () => {
    const reply = await act("UALICE", "INC-1 <@USAM> by last friday Review the medication policy");
    expect(reply).toContain("That's in the past");
    expect(reply).toContain("You typed: INC-1 <@USAM> by last friday Review the medication policy");
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);
  });

  it("answers 'extend in 100000 years' politely, leaving the due date and the owner's move as they were", async () => {
    const reply = await act("USAM", "extend A-1 in 100000 years");
    expect(reply).toContain(TOO_FAR);
    expect(reply).toContain("You typed: extend A-1 in 100000 years");
    await dueStill("2026-11-27T17:00:00.000Z");
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: null });
  });

  it("lets the lead or the owner's manager move it past 4 weeks, but not past a year ahead", async () => {
    expect(await act("ULEAD", "extend A-1 2027-11-26")).toContain(TOO_FAR);
    expect(await act("UMGR", "extend A-1 9999-12-31")).toContain(TOO_FAR);
    await dueStill("2026-11-27T17:00:00.000Z");
    expect(await act("UMGR", "extend A-1 2027-06-01")).toContain("is now due Tue 1 Jun 2027, 17:00.");
    expect((await actionRow(1)).due_at.toISOString()).toBe("2027-06-01T16:00:00.000Z"); // 17:00 BST
  });

  it("lets the owner move it themselves by up to 4 weeks, and says whom to ask for more", async () => {
    const reply = await act("USAM", "extend A-1 2026-12-26");
    expect(reply).toContain(OWNER_LIMIT);
    expect(reply).toContain("You typed: extend A-1 2026-12-26");
    expect(await act("USAM", "extend A-1 9999-12-31")).toContain("That's more than a year ahead");
    await dueStill("2026-11-27T17:00:00.000Z");
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: null }); // refusals leave the move unused

    expect(await act("USAM", "extend A-1 2026-12-25 6pm")).toContain("is now due Fri 25 Dec, 18:00.");
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: WEDNESDAY });
  });

  it("tells an owner whose action is more than 4 weeks overdue that only their manager or the lead can move it now", async () => {
    clock = new Date("2027-01-04T10:00:00Z");
    const reply = await act("USAM", "extend A-1 friday");
    expect(reply).toContain(
      "You can move A-1 yourself by up to 4 weeks from when it is due, and that time has passed. For more, ask your manager or the team lead",
    );
    await dueStill("2026-11-27T17:00:00.000Z");
  });

  it("gives a new owner their own move of the due date", async () => {
    await act("USAM", "extend A-1 next monday");
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: WEDNESDAY });

    // Who it went to is read from what is stored, whichever way a reply names a person.
    expect(await act("USAM", "reassign A-1 <@UOTHER>")).toContain("A-1 for INC-1: Check the MAR chart at handover is now owned by");
    expect(await actionRow(1)).toMatchObject({ owner_id: "slack:T1:UOTHER", owner_extended_at: null });
    const [handover] = await auditRows("action.reassigned");
    expect(handover!.after).toMatchObject({ ownerId: "slack:T1:UOTHER", ownerExtendedAt: null });

    const moved = await act("UOTHER", "extend A-1 next wednesday");
    expect(moved).toContain("is now due Wed 2 Dec, 17:00.");
    expect(moved).toContain("That was your one move of this due date");
    expect(await act("UOTHER", "extend A-1 2026-12-04")).toContain("You have already moved the due date of A-1 once.");
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-12-02T17:00:00.000Z");
  });

  it("does not give an owner a second move by handing the action to a colleague and back", async () => {
    expect(await act("USAM", "extend A-1 next monday")).toContain("That was your one move of this due date");
    await act("USAM", "reassign A-1 <@UOTHER>");
    expect(await act("UOTHER", "extend A-1 next wednesday")).toContain("That was your one move of this due date");
    await act("UOTHER", "reassign A-1 <@USAM>");

    expect(await act("USAM", "extend A-1 2026-12-04")).toContain("You have already moved the due date of A-1 once.");
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-12-02T17:00:00.000Z");
  });
});

describe("an action's texts past their limits (issue 6, 'Text')", () => {
  beforeEach(async () => {
    await teamWithIncidents();
    await act("UALICE", "INC-1 <@USAM> by friday Check the MAR chart at handover");
  });

  it("refuses an action of more than 300 characters, by command and by form, naming the limit, and saves nothing", async () => {
    const long = "x".repeat(301);
    expect(await act("UALICE", `INC-1 <@USAM> by friday ${long}`)).toContain("Keep the action to 300 characters; this one has 301. A clear first step is enough.");
    const errors = errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", { owner: ["USAM"], due: "by friday", what: long }, "INC-1"));
    expect(errors).toEqual({ what: "Keep the action to 300 characters; this one has 301. A clear first step is enough." });
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);
    // 300 is within it.
    expect(await act("UALICE", `INC-1 <@USAM> by friday ${"x".repeat(300)}`)).toContain("Added A-2 for INC-1");
  });

  it("refuses a done note of more than 1000 characters, naming the limit, and leaves the action open", async () => {
    const reply = await act("USAM", `done A-1 ${"x".repeat(1001)}`);
    expect(reply).toContain("Nothing was saved. Keep the note to 1000 characters; this one has 1001.");
    expect(await actionRow(1)).toMatchObject({ status: "open", done_note: null });
    expect(await auditRows("action.done")).toEqual([]);
  });

  it("refuses a reason for cancelling of more than 1000 characters, naming the limit, and leaves the action open", async () => {
    const reply = await act("UMGR", `cancel A-1 ${"x".repeat(1001)}`);
    expect(reply).toMatch(/Keep the reason to 1000 characters; this one has 1001\./);
    expect(await actionRow(1)).toMatchObject({ status: "open" });
    expect(await auditRows("action.cancelled")).toEqual([]);
  });

  // The forms stop a due phrase at 60 characters; the core holds it there too, for whatever reaches it another way.
  const DUE_LIMIT = (length: number) => `Keep the due date to 60 characters; this one has ${length}. Say when in a few words, e.g. by friday, in 3 days, tomorrow 5pm or 2026-12-01.`;

  it("refuses a due phrase of more than 60 characters by command, naming the limit, not repeating it, and saves nothing", async () => {
    const long = `by ${"x".repeat(4997)}`; // 5,000 characters, read whole as the due phrase
    const added = replyOf(await debrief.command(interaction("UALICE", null), "action", `INC-1 <@USAM> ${long} Check the fire doors`));
    expect(added.text).toBe(DUE_LIMIT(5000));
    expect(textOf(added)).toContain(`You typed: INC-1 <@USAM> ${long} Check the fire doors`); // what was typed is kept
    expect(textOf(added).split(long)).toHaveLength(2); // and given back once, not echoed again in the refusal
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);

    const extended = replyOf(await debrief.command(interaction("USAM", null), "action", `extend A-1 ${long}`));
    expect(extended.text).toBe(DUE_LIMIT(5000));
    expect(textOf(extended)).toContain(`You typed: extend A-1 ${long}`);
    expect(textOf(extended).split(long)).toHaveLength(2);
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: null }); // sam's one move is not used up
    expect(await auditRows("action.extended")).toEqual([]);

    // 60 is within it, and is read as any phrase is.
    const sixty = `by ${"x".repeat(57)}`;
    expect(await act("UALICE", `INC-1 <@USAM> ${sixty} Check the fire doors`)).toContain(`I couldn't read \`${sixty}\` as a date.`);
    expect(await act("USAM", `extend A-1 ${sixty}`)).toContain(`I couldn't read \`${sixty}\` as a date.`);
  });

  it("refuses a due phrase of more than 60 characters on the Add an action form, beside the due, and saves nothing", async () => {
    const long = "x".repeat(5000);
    const typed: FormValues = { owner: ["USAM"], due: long, what: "Check the fire doors" };
    expect(errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", typed, "INC-1"))).toEqual({ due: DUE_LIMIT(5000) });
    expect(errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", { ...typed, due: `  ${"x".repeat(61)}  ` }, "INC-1"))).toEqual({ due: DUE_LIMIT(61) });
    expect((await actionRows()).map((r) => r.number)).toEqual([1]);
  });

  it("holds the Extend form to 60 characters too: its input says so, and a longer phrase is refused beside it, changing nothing", async () => {
    const form = formOf(await debrief.press(interaction("USAM"), "escalation.extend", "A-1 action-1-assigned"));
    expect(form.inputs.find((i) => i.id === "due")).toMatchObject({ kind: "text", maxLength: 60 });
    expect(errorsOf(await debrief.submitForm(interaction("USAM"), form.id, { due: "x".repeat(5000) }, form.state))).toEqual({ due: DUE_LIMIT(5000) });
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(await actionRow(1)).toMatchObject({ owner_extended_at: null });
    expect(await auditRows("action.extended")).toEqual([]);
    // The form still works for a phrase that fits.
    doneOf(await debrief.submitForm(interaction("USAM"), form.id, { due: "next monday" }, form.state));
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-30T17:00:00.000Z");
  });
});

describe("actions on a restricted incident", () => {
  beforeEach(async () => {
    await teamWithIncidents();
    await act("ULEAD", "INC-2 <@USAM> by friday Write up the disclosure for the LADO");
  });

  it("names only the reference to those outside the incident who act on it", async () => {
    const done = await act("UMGR", "done A-1 Sent");
    expect(done).toContain("A-1 (restricted incident) is done.");
    expect(done).not.toContain("LADO");
    expect(done).not.toContain("Sent"); // the note may say as much as the title
  });

  it("shows the title to the lead, and only the reference to the owner's manager, who is outside the incident", async () => {
    expect(await act("ULEAD", "extend A-1 next monday")).toContain("A-1 for INC-2: Write up the disclosure for the LADO");
    expect(await act("ULEAD", "list <@USAM>")).toContain("A-1 · INC-2 — Write up the disclosure for the LADO");
    const managers = await act("UMGR", "list <@USAM>");
    expect(managers).toContain("A-1 (restricted incident)");
    expect(managers).not.toContain("LADO");
  });
});

describe("the Add an action button", () => {
  beforeEach(teamWithIncidents);

  const open = async (who: string, ref = "INC-1") => debrief.press(interaction(who), "incident.action", ref);

  it("opens a small form for the incident: owner, due and what", async () => {
    const form = formOf(await open("UALICE"));
    expect(form).toMatchObject({ id: "action.new", state: "INC-1" });
    expect(form.inputs.map((i) => [i.id, i.kind])).toEqual([
      ["owner", "people"],
      ["due", "text"],
      ["what", "text"],
    ]);
    expect(form.inputs[1]).toMatchObject({ hint: "by friday, in 3 days, tomorrow 5pm, 2026-12-01" });
  });

  it("saves a filled-in form and tells the owner", async () => {
    const form = formOf(await open("UALICE"));
    const view = doneOf(
      await debrief.submitForm(interaction("UALICE", null), form.id, { owner: ["USAM"], due: "by friday", what: "Check the MAR chart" }, form.state),
    );
    expect(textOf(view)).toContain("Added A-1 for INC-1");
    expect(textOf(view)).toContain("Due: Fri 27 Nov, 17:00");
    expect(await actionRow(1)).toMatchObject({ title: "Check the MAR chart", owner_id: "slack:T1:USAM" });
    expect(await dmsTo("USAM")).toHaveLength(1);
  });

  it("keeps an action to one line, as lists show it", async () => {
    doneOf(await debrief.submitForm(interaction("UALICE"), "action.new", { owner: ["USAM"], due: "by friday", what: "Check the\nMAR   chart" }, "INC-1"));
    expect(await actionRow(1)).toMatchObject({ title: "Check the MAR chart" });
  });

  it("takes a single-person picker's answer as well as a list", async () => {
    doneOf(await debrief.submitForm(interaction("UALICE"), "action.new", { owner: "USAM", due: "tomorrow 5pm", what: "Ring the GP" }, "INC-1"));
    expect((await actionRow(1)).due_at.toISOString()).toBe("2026-11-26T17:00:00.000Z");
  });

  it("puts each problem beside its input and saves nothing", async () => {
    const errors = errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", { owner: [], due: "by frday", what: "  " }, "INC-1"));
    expect(errors).toEqual({
      owner: "Who owns this action? Choose one person.",
      due: "I couldn't read `by frday` as a date. Try by friday, in 3 days, tomorrow 5pm or 2026-12-01.",
      what: "What is the action? Add a few words saying what needs doing.",
    });
    expect(await actionRows()).toEqual([]);
  });

  it("flags only what is wrong, so the rest of what was typed stands", async () => {
    const typed: FormValues = { owner: ["USAM"], due: "yesterday", what: "Check the MAR chart" };
    expect(errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", typed, "INC-1"))).toEqual({
      due: "That's in the past — when should it be done by? e.g. by friday, in 3 days, tomorrow 5pm or 2026-12-01.",
    });
    expect(errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", { ...typed, due: "", owner: ["USAM", "UOTHER"] }, "INC-1"))).toEqual({
      owner: "Choose one owner: one person sees an action through. Add another action for someone else.",
      due: "When is it due? e.g. by friday, in 3 days, tomorrow 5pm or 2026-12-01.",
    });
    expect(await actionRows()).toEqual([]);
  });

  it("says beside the owner when the person cannot be found", async () => {
    directory.missing.add("UGHOST");
    const errors = errorsOf(await debrief.submitForm(interaction("UALICE"), "action.new", { owner: ["UGHOST"], due: "by friday", what: "Check" }, "INC-1"));
    expect(errors.owner).toContain("I couldn't find the user UGHOST");
    expect(Object.keys(errors)).toEqual(["owner"]);
  });

  it("is refused to a colleague who cannot see the incident's details", async () => {
    expect(textOf(replyOf(await open("UOTHER")))).toContain("Only those who can see the details of INC-1");
    expect(textOf(replyOf(await open("UALICE", "INC-99")))).toContain("I couldn't find INC-99");
  });
});

describe("action references under load", () => {
  it("gives 50 actions added at once A-1…A-50, with no gaps and each owner told once", async () => {
    await teamWithIncidents();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => act("UALICE", `INC-1 <@USAM> by friday Follow-up number ${i + 1}`)),
    );
    expect(replies.every((r) => /Added A-\d+ for INC-1/.test(r))).toBe(true);
    const rows = await actionRows();
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.title)).size).toBe(50);
    expect(await dmsTo("USAM")).toHaveLength(50);
    const workspace = await database.db.selectFrom("workspace").select("next_action_no").where("id", "=", "slack:T1").executeTakeFirstOrThrow();
    expect(workspace.next_action_no).toBe(51);
  });
});
