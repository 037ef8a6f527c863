import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import type { FormValues, FormView } from "../../src/views/view.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { doneOf, errorsOf, formOf, replyOf, textOf } from "../support/outcomes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

/**
 * The circle of an incident holds (issue "Trust"): only those who answer for an incident widen who reads it, closed
 * incidents take no new work, refusals tell outsiders nothing, and reading a restricted record leaves a trail.
 * The cast: alice reports; sam is involved and reports to mgr, who reports to head; lead leads; other is outside.
 */

let database: TestDatabase;
let debrief: Debrief;

beforeEach(async () => {
  database = await createTestDatabase();
  const directory = new FakeDirectory();
  directory.admins.add("UADMIN");
  debrief = createDebrief({ db: database.db, deliveries: new FakeScheduler(), directories: { slack: directory }, files: {}, prompts: new FakeScheduler(), config: readConfig({}), log: silentLog, now: () => new Date() });
  await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
  await say("UADMIN", "debrief", "lead <@ULEAD>");
  await say("ULEAD", "debrief", "manager <@USAM> <@UMGR>");
  await say("ULEAD", "debrief", "manager <@UMGR> <@UHEAD>");
  await say("UALICE", "incident", "medication low Missed evening meds");
  await detailsSaved("UALICE", 1, { involved: ["USAM"] });
  await say("UALICE", "incident", "safeguarding Disclosure made during key work");
  await detailsSaved("UALICE", 2, { involved: ["USAM"] });
  expect(await say("UALICE", "action", "INC-2 <@USAM> in 3 days Write up the disclosure for the LADO")).toContain("A-1");
});

afterEach(async () => {
  await database.drop();
});

async function say(who: Interaction | string, name: "incident" | "action" | "debrief", text: string): Promise<string> {
  return textOf(replyOf(await debrief.command(typeof who === "string" ? interaction(who) : who, name, text)));
}

function valuesOf(form: FormView): FormValues {
  return Object.fromEntries(form.inputs.map((i) => [i.id, i.initial ?? null])) as FormValues;
}

async function detailsForm(who: string, number: number): Promise<FormView> {
  return formOf(await debrief.press(interaction(who), "incident.details", `INC-${number}`));
}

async function detailsSaved(who: string, number: number, changes: FormValues): Promise<void> {
  const form = await detailsForm(who, number);
  doneOf(await debrief.submitForm(interaction(who), form.id, { ...valuesOf(form), ...changes }, form.state));
}

const involvedIn = async (number: number) =>
  (
    await database.db
      .selectFrom("incident_person")
      .innerJoin("incident", "incident.id", "incident_person.incident_id")
      .select("incident_person.person_id")
      .where("incident.number", "=", number)
      .orderBy("incident_person.person_id")
      .execute()
  ).map((r) => r.person_id);
const audits = (action: string) => database.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

describe("who is involved", () => {
  it("cannot be widened by staff who are only involved: the form is refused and nothing changes", async () => {
    const form = await detailsForm("USAM", 1);
    const errors = errorsOf(await debrief.submitForm(interaction("USAM"), form.id, { ...valuesOf(form), involved: ["USAM", "UOTHER"] }, form.state));
    expect(Object.values(errors).join(" ")).toContain(
      "Only its reporter, a line manager in its circle, or the team's lead, can change who is involved in an incident.",
    );
    expect(await involvedIn(1)).toEqual(["slack:T1:USAM"]);
    // Other details stay theirs to fill in.
    doneOf(await debrief.submitForm(interaction("USAM"), form.id, { ...valuesOf(form), location: "Oak House" }, form.state));
  });

  it("is changed by the reporter, a manager in the circle or the lead, and each change is audited", async () => {
    await detailsSaved("UMGR", 1, { involved: ["USAM", "UBEA"] });
    await detailsSaved("ULEAD", 1, { involved: ["USAM", "UBEA", "UCAL"] });
    expect(await involvedIn(1)).toEqual(["slack:T1:UBEA", "slack:T1:UCAL", "slack:T1:USAM"]);
    const changes = (await audits("incident.involved_changed")).filter((a) => a.subject === "INC-1");
    expect(changes.map((a) => [a.actor_id, a.after])).toEqual([
      ["slack:T1:UALICE", { involved: ["slack:T1:USAM"] }],
      ["slack:T1:UMGR", { involved: ["slack:T1:USAM", "slack:T1:UBEA"] }],
      ["slack:T1:ULEAD", { involved: ["slack:T1:USAM", "slack:T1:UBEA", "slack:T1:UCAL"] }],
    ]);
  });
});

describe("a closed incident", () => {
  it("takes no new actions, by command or by its button", async () => {
    await say("UALICE", "incident", "close INC-1 Check the MAR chart at every handover");
    const reply = await say("UALICE", "action", "INC-1 <@USAM> by friday Re-train on the MAR chart");
    expect(reply).toContain("INC-1 is closed, so it takes no new actions.");
    expect(textOf(replyOf(await debrief.press(interaction("UALICE"), "incident.action", "INC-1")))).toContain("INC-1 is closed");
    const actions = await database.db.selectFrom("action").select("title").execute();
    expect(actions.map((a) => a.title)).toEqual(["Write up the disclosure for the LADO"]);
  });
});

describe("refusals", () => {
  it("never tell someone outside a restricted incident which incident an action belongs to", async () => {
    const reply = await say("UOTHER", "action", "done A-1");
    expect(reply).toContain("Only the owner of A-1, their manager, the person who reported its incident or the team lead can mark it done.");
    expect(reply).not.toContain("INC-2");
    expect(reply).not.toContain("LADO");
  });
});

describe("someone else's actions", () => {
  it("are listed for their managers up the line and the lead", async () => {
    for (const who of ["UMGR", "UHEAD", "ULEAD"]) {
      const list = await say(who, "action", "list <@USAM>");
      expect(list, who).toContain("A-1");
    }
  });

  it("are not listed for colleagues, naming who can", async () => {
    for (const who of ["UOTHER", "UALICE"]) {
      const reply = await say(who, "action", "list <@USAM>");
      expect(reply, who).toContain("Only their line managers, or the lead of their team, can see someone else's open actions. Your own are at /action list.");
      expect(reply, who).not.toContain("A-1");
    }
  });
});

describe("opening a restricted incident", () => {
  it("is written to the audit log, who and when, for each opening by someone in its circle", async () => {
    await say("ULEAD", "incident", "show INC-2");
    await detailsForm("USAM", 2);
    const opened = await audits("incident.opened");
    expect(opened.map((a) => [a.actor_id, a.subject])).toEqual([
      ["slack:T1:UALICE", "INC-2"], // when she added sam in beforeEach
      ["slack:T1:ULEAD", "INC-2"],
      ["slack:T1:USAM", "INC-2"],
    ]);
    expect(opened.every((a) => a.at instanceof Date)).toBe(true);
  });

  it("is not recorded for an outsider, who sees no details, nor for an incident that is not restricted", async () => {
    const before = (await audits("incident.opened")).length;
    expect(await say("UOTHER", "incident", "show INC-2")).not.toContain("Disclosure");
    await say("ULEAD", "incident", "show INC-1");
    expect(await audits("incident.opened")).toHaveLength(before);
  });
});
