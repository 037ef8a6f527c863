import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig, settingsOf, type Settings } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import { sweepOverdue } from "../../src/features/escalation/sweep.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import type { FormValues, MessageView } from "../../src/views/view.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { doneOf, formOf, replyOf, textOf } from "../support/outcomes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

/**
 * The escalation ladder through the core, on real Postgres, the sweep run by hand. Due times are moved into the past
 * in SQL (the sweep compares with the database's clock), as time passing would. The cast: alice reports; sam and kim
 * report to mgr; lead leads #oak-house; pat has no manager.
 */

let database: TestDatabase;
let debrief: Debrief;
let config: Settings;
let deliveries: FakeScheduler;

beforeEach(async () => {
  database = await createTestDatabase();
  const directory = new FakeDirectory();
  directory.admins.add("UADMIN");
  config = settingsOf(readConfig({ ESCALATION_LADDER: "PT0S:owner,P1D:manager,P3D:lead", WORKING_HOURS: "always" }));
  deliveries = new FakeScheduler();
  debrief = createDebrief({ db: database.db, deliveries, prompts: new FakeScheduler(), directories: { slack: directory }, files: {}, config, log: silentLog, now: () => new Date() });
  await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
  await say("UADMIN", "debrief", "lead <@ULEAD>");
  await say("ULEAD", "debrief", "manager <@USAM> <@UMGR>");
  await say("ULEAD", "debrief", "manager <@UKIM> <@UMGR>");
  expect(await say("UALICE", "incident", "medication low Wrong dose given at teatime")).toContain("INC-1");
});

afterEach(async () => {
  await database.drop();
});

async function say(who: Interaction | string, name: string, text: string): Promise<string> {
  return textOf(replyOf(await debrief.command(typeof who === "string" ? interaction(who) : who, name, text)));
}

const sweep = () => sweepOverdue({ db: database.db, deliveries, config, log: silentLog });

/** Makes an action's due time `ago` in the past, as if that much time had passed, with its ladder where time puts it. */
async function dueAgo(ref: string, ago: string): Promise<void> {
  const number = Number(ref.slice(2));
  await database.db
    .updateTable("action")
    .set({ due_at: sql`now() - ${ago}::interval`, next_step_at: sql`now() - ${ago}::interval`, escalation_step: 1 })
    .where("number", "=", number)
    .execute();
}

/** Moves the whole ladder back by `by`, as if that much more time had passed. */
async function timePasses(by: string): Promise<void> {
  await database.db
    .updateTable("action")
    .set({ due_at: sql`due_at - ${by}::interval`, next_step_at: sql`next_step_at - ${by}::interval` })
    .execute();
}

/** Messages recorded, oldest first: where, to whom, and what they say. */
async function messages(): Promise<{ key: string; kind: string; to: string; view: MessageView }[]> {
  const rows = await database.db.selectFrom("delivery").select(["dedupe_key", "target_kind", "target_id", "view"]).where("dedupe_key", "like", "escalation-%").orderBy("id").execute();
  return rows.map((r) => ({ key: r.dedupe_key, kind: r.target_kind, to: r.target_id, view: r.view as MessageView }));
}

describe("an overdue action", () => {
  it("reaches the owner, then their manager in the channel, then the lead, in order, each once", async () => {
    expect(await say("UALICE", "action", "INC-1 <@USAM> in 3 days Update the MAR chart")).toContain("A-1");
    await dueAgo("A-1", "1 minute");
    expect(await sweep()).toEqual({ steps: 1, messages: 1 });
    expect(await sweep()).toEqual({ steps: 0, messages: 0 });
    let sent = await messages();
    expect(sent.map((m) => `${m.kind} ${m.to}`)).toEqual(["person USAM"]);
    expect(textOf(sent[0]!.view)).toContain("A-1 is overdue");
    expect(sent[0]!.view.buttons?.map((b) => b.label)).toEqual(["Done", "Extend", "Reassign"]);

    await timePasses("1 day");
    await sweep();
    sent = await messages();
    expect(sent.map((m) => `${m.kind} ${m.to}`)).toEqual(["person USAM", `channel ${TEAM_CHANNEL}`]);
    const toManager = textOf(sent[1]!.view);
    expect(toManager).toContain("UMGR: 1 action owned by people who report to you is overdue.");
    expect(toManager).toContain("Update the MAR chart");
    expect(sent[1]!.view.buttons?.map((b) => b.label)).toEqual(["Nudge owner of A-1", "Extend A-1", "Reassign A-1", "Mark A-1 done"]);

    await timePasses("2 days");
    await sweep();
    await timePasses("30 days");
    await sweep();
    sent = await messages();
    expect(sent.map((m) => `${m.kind} ${m.to}`)).toEqual(["person USAM", `channel ${TEAM_CHANNEL}`, `channel ${TEAM_CHANNEL}`]);
    expect(textOf(sent[2]!.view)).toContain("ULEAD: 1 action owned by your team is overdue.");
    const steps = await database.db.selectFrom("escalation_step").select(["stage", "target", "place"]).orderBy("id").execute();
    expect(steps).toEqual([
      { stage: 1, target: "owner", place: "person" },
      { stage: 2, target: "manager", place: "channel" },
      { stage: 3, target: "lead", place: "channel" },
    ]);
  });

  it("stops climbing once marked done from the manager's message, and that message says so", async () => {
    await say("UALICE", "action", "INC-1 <@USAM> in 3 days Update the MAR chart");
    await dueAgo("A-1", "1 day 1 minute");
    await sweep();
    await sweep();
    const [, toManager] = await messages();
    const done = toManager!.view.buttons!.find((b) => b.label === "Mark A-1 done")!;
    const updated = await debrief.press(interaction("UMGR"), done.id, done.value);
    expect(updated).toMatchObject({ kind: "reply", replaces: "pressed" });
    expect(textOf(replyOf(updated))).toContain("marked done by UMGR");
    expect(replyOf(updated).buttons ?? []).toEqual([]);
    await timePasses("10 days");
    await sweep();
    expect(await messages()).toHaveLength(2);
  });

  it("moves every later step when extended", async () => {
    await say("UALICE", "action", "INC-1 <@USAM> in 3 days Update the MAR chart");
    await dueAgo("A-1", "1 minute");
    await sweep();
    const [toOwner] = await messages();
    const extend = toOwner!.view.buttons!.find((b) => b.label === "Extend")!;
    const form = formOf(await debrief.press(interaction("USAM", null), extend.id, extend.value));
    const saved = doneOf(await debrief.submitForm(interaction("USAM", null), form.id, { due: "in 7 days" } as FormValues, form.state));
    expect(textOf(saved)).toContain("A-1 for INC-1: Update the MAR chart is now due");
    const action = await database.db.selectFrom("action").select(["due_at", "next_step_at", "escalation_step"]).executeTakeFirstOrThrow();
    // Back to the reminder a working day before the new due time.
    expect(action.escalation_step).toBe(0);
    expect(action.next_step_at!.getTime()).toBe(action.due_at.getTime() - 24 * 3600_000);
    await timePasses("1 day 1 minute");
    await sweep();
    expect((await messages()).filter((m) => m.kind === "channel")).toHaveLength(0);
  });

  it("of a restricted incident is named in the channel by reference, owner and due time; its title goes to the manager alone", async () => {
    expect(await say("UALICE", "incident", "safeguarding Disclosure during key work <@USAM>")).toContain("INC-2");
    await say("UALICE", "action", "INC-2 <@USAM> in 3 days Write up the disclosure for the LADO");
    await dueAgo("A-1", "1 day 1 minute");
    await sweep();
    await sweep();
    const sent = await messages();
    const channel = sent.filter((m) => m.kind === "channel");
    expect(channel).toHaveLength(1);
    expect(JSON.stringify(channel[0]!.view)).not.toContain("Write up the disclosure");
    expect(textOf(channel[0]!.view)).toContain("A-1 for INC-2 (restricted)");
    const titles = sent.filter((m) => m.kind === "person" && m.to === "UMGR");
    expect(titles).toHaveLength(1);
    expect(textOf(titles[0]!.view)).toContain("Write up the disclosure for the LADO");
  });

  it("with no manager set goes to the lead, saying how to set one", async () => {
    await say("UALICE", "action", "INC-1 <@UPAT> in 3 days Check the fire doors");
    await dueAgo("A-1", "1 day 1 minute");
    await sweep();
    await sweep();
    const channel = (await messages()).filter((m) => m.kind === "channel");
    expect(textOf(channel[0]!.view)).toContain("ULEAD: 1 action owned by your team is overdue.");
    expect(textOf(channel[0]!.view)).toContain("has no manager set in Debrief, so this came to the lead");
  });
});

describe("the sweep", () => {
  it("groups 30 overdue actions of one manager's reports into one message in the channel, within Block Kit's limits", async () => {
    for (let i = 0; i < 30; i++) await say("UALICE", "action", `INC-1 <@${i % 2 ? "USAM" : "UKIM"}> in 3 days Task number ${i + 1}`);
    await database.db.updateTable("action").set({ due_at: sql`now() - interval '1 day 1 minute'`, next_step_at: sql`now() - interval '1 minute'`, escalation_step: 2 }).execute();
    expect(await sweep()).toEqual({ steps: 30, messages: 1 });
    const [message] = await messages();
    expect(textOf(message!.view)).toContain("UMGR: 30 actions owned by people who report to you are overdue.");
    expect(textOf(message!.view)).toContain("and 20 more");
    expect(message!.view.buttons).toHaveLength(40);
  });
});

describe("/action cancel", () => {
  it("is for the owner's manager or the lead, stops the climb, and tells the owner", async () => {
    await say("UALICE", "action", "INC-1 <@USAM> in 3 days Update the MAR chart");
    expect(await say("USAM", "action", "cancel A-1 Not needed")).toContain("Only the owner's line manager, or the team's lead, can cancel an action, or nudge its owner. Its owner can ask them, or extend it.");
    expect(await say("UMGR", "action", "cancel A-1 The chart was replaced")).toContain("A-1 for INC-1: Update the MAR chart is cancelled");
    await dueAgo("A-1", "1 minute");
    expect(await sweep()).toEqual({ steps: 0, messages: 0 });
    const told = await database.db.selectFrom("delivery").select("view").where("dedupe_key", "=", "action-1-cancelled").executeTakeFirstOrThrow();
    expect(textOf(told.view as MessageView)).toContain("The chart was replaced");
  });
});

describe("duty of candour", () => {
  it("gives the incident an action for the lead, due in 10 working days", async () => {
    const form = formOf(await debrief.command(interaction("UALICE"), "incident", ""));
    const values = Object.fromEntries(form.inputs.map((i) => [i.id, i.initial ?? null])) as FormValues;
    doneOf(await debrief.submitForm(interaction("UALICE"), form.id, { ...values, category: "medication", summary: "Double dose given", physical_harm: "moderate", notifications: ["duty_of_candour"] }, form.state));
    const action = await database.db.selectFrom("action").innerJoin("person", "person.id", "action.owner_id").select(["title", "user_id", "due_at", "created_at"]).executeTakeFirstOrThrow();
    expect(action).toMatchObject({ title: "Duty of candour: notify and apologise", user_id: "ULEAD" });
    // With WORKING_HOURS=always every day is a working day (Mon-Fri is covered by the unit tests of addWorkingDays).
    const days = (action.due_at.getTime() - action.created_at.getTime()) / 86400_000;
    expect(days).toBeCloseTo(10, 2);
  });
});

describe("closing an incident with open actions", () => {
  it("asks first, listing them, and closes with the lesson when confirmed", async () => {
    await say("UALICE", "action", "INC-1 <@USAM> in 3 days Update the MAR chart");
    const asked = replyOf(await debrief.command(interaction("UALICE"), "incident", "close INC-1 Check the MAR chart at handover"));
    expect(textOf(asked)).toContain("INC-1 still has 1 open action");
    expect(textOf(asked)).toContain("A-1: Update the MAR chart");
    expect((await database.db.selectFrom("incident").select("status").executeTakeFirstOrThrow()).status).toBe("open");
    const anyway = asked.buttons![0]!;
    expect(textOf(replyOf(await debrief.press(interaction("UALICE"), anyway.id, anyway.value)))).toContain("INC-1 is closed");
    expect(await database.db.selectFrom("incident").select(["status", "lesson"]).executeTakeFirstOrThrow()).toEqual({ status: "closed", lesson: "Check the MAR chart at handover" });
  });
});

describe("someone outside a restricted incident's circle", () => {
  it("pressing an escalation message's buttons, or closing it, is refused without being shown the action's title", async () => {
    expect(await say("UALICE", "incident", "safeguarding Disclosure during key work <@USAM>")).toContain("INC-2");
    await say("UALICE", "action", "INC-2 <@USAM> in 3 days Write up the disclosure for the LADO");
    await dueAgo("A-1", "1 day 1 minute");
    await sweep();
    await sweep();
    const channel = (await messages()).find((m) => m.kind === "channel")!;
    for (const button of channel.view.buttons ?? []) {
      const outcome = await debrief.press(interaction("UOTHER"), button.id, button.value);
      expect(JSON.stringify(outcome)).not.toContain("Write up the disclosure");
      if (outcome.kind === "reply") expect(outcome.replaces).toBeUndefined();
    }
    const closing = textOf(replyOf(await debrief.command(interaction("UOTHER"), "incident", "close INC-2 Lessons")));
    expect(closing).toContain("Only the reporter");
    expect(closing).not.toContain("Write up the disclosure");
    expect((await database.db.selectFrom("action").select("status").executeTakeFirstOrThrow()).status).toBe("open");
  });
});
