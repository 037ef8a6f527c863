import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import { openDatabase, type Db } from "../../src/store/database.ts";
import type { FormValues, FormView, MessageView } from "../../src/views/view.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { admin, createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { waitFor } from "../support/wait.ts";
import { doneOf, formOf, replyOf, textOf } from "../support/outcomes.ts";

const config = readConfig({});

let database: TestDatabase;
let directory: FakeDirectory;
let scheduler: FakeScheduler;
let debrief: Debrief;

function coreOn(db: Db): Debrief {
  return createDebrief({ db, deliveries: scheduler, directories: { slack: directory }, files: {}, prompts: new FakeScheduler(), config, log: silentLog, now: () => new Date() });
}

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new FakeDirectory();
  directory.admins.add("UADMIN");
  scheduler = new FakeScheduler();
  debrief = coreOn(database.db);
});

afterEach(async () => {
  await database.drop();
});

// ── what a user sees ─────────────────────────────────────────────────────────

async function say(who: Interaction | string, name: "incident" | "action" | "reflect" | "debrief", text: string): Promise<string> {
  const actor = typeof who === "string" ? interaction(who) : who;
  return textOf(replyOf(await debrief.command(actor, name, text)));
}

/** The values a form submits when nothing is changed. */
function valuesOf(form: FormView): FormValues {
  return Object.fromEntries(form.inputs.map((i) => [i.id, i.initial ?? null])) as FormValues;
}

// ── what is stored ───────────────────────────────────────────────────────────

/** Messages about incidents; the role changes made while setting a team up tell people too (dedupe keys audit-…). */
const deliveries = () => database.db.selectFrom("delivery").selectAll().where("dedupe_key", "not like", "audit-%").orderBy("id").execute();
const incidentRow = (number: number) =>
  database.db.selectFrom("incident").selectAll().where("number", "=", number).executeTakeFirstOrThrow();
const incidentCount = async () => Number((await database.db.selectFrom("incident").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
const auditRows = (action: string) => database.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

async function teamWithLead(lead: string | null = "ULEAD"): Promise<void> {
  await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
  if (lead) await say("UADMIN", "debrief", `lead <@${lead}>`);
}

const SAFEGUARDING_FORM: FormValues = {
  event_type: "concern",
  category: "safeguarding",
  summary: "Disclosure by OH-17 about a visitor",
  what_happened: "OH-17 told the key worker about a visitor on Saturday.",
  location: "Elm Lodge",
  service_user_ref: "OH-17",
  physical_harm: "none",
  learning_response: "full_review",
};

describe("quick log", () => {
  it("replies with INC-1 and records the announcement for the team channel", async () => {
    await teamWithLead(null);
    const reply = await say("UALICE", "incident", "medication low Missed evening meds at Oak House");

    expect(reply).toContain("Logged INC-1");
    expect(reply).toContain("Missed evening meds at Oak House");
    expect(reply).toContain("Medication");
    expect(reply).toContain("Announced in the team channel");
    expect(reply).toContain("[Add details]");

    const rows = await deliveries();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target_kind: "channel", target_id: TEAM_CHANNEL, platform: "slack", status: "pending" });
    const announcement = textOf(rows[0]!.view as MessageView);
    expect(announcement).toContain("INC-1");
    expect(announcement).toContain("Missed evening meds at Oak House");
    expect(announcement).toContain("Low harm");
    expect(scheduler.scheduled).toEqual([String(rows[0]!.id)]);

    expect(await incidentRow(1)).toMatchObject({ category: "medication", physical_harm: "low", summary: "Missed evening meds at Oak House", restricted: false, status: "open" });
  });

  it("keeps words it does not know as the summary, with category other", async () => {
    await teamWithLead(null);
    const reply = await say("UALICE", "incident", "low staffing on the night shift");
    expect(reply).toContain("Logged INC-1");
    expect(await incidentRow(1)).toMatchObject({ category: "other", physical_harm: "none", summary: "low staffing on the night shift" });
  });

  it("says nobody else was told when there is no team space, and records no announcement", async () => {
    const reply = await say(interaction("UALICE", null), "incident", "medication Missed evening meds");
    expect(reply).toContain("Logged INC-1");
    expect(reply).toMatch(/No team channel is set up yet, so nobody else has been told.*\/debrief setup/);
    expect(await deliveries()).toEqual([]);
    expect(scheduler.scheduled).toEqual([]);
    expect(await incidentCount()).toBe(1);
  });

  it("does not talk of a team lead for a restricted incident logged where there is no team", async () => {
    const reply = await say(interaction("UALICE", null), "incident", "safeguarding Disclosure during key work");
    expect(reply).toMatch(/No team channel is set up yet, so nobody else has been told/);
    expect(reply).not.toContain("no lead");
  });

  it("keeps a long one-liner whole as what happened, with a summary short enough for the form", async () => {
    await teamWithLead(null);
    const typed = `Missed evening meds at Oak House because ${"the handover sheet was not read and ".repeat(6)}the MAR chart was not signed`;
    expect(typed.length).toBeGreaterThan(150);
    expect(await say("UALICE", "incident", `medication ${typed}`)).toContain("Logged INC-1");
    const row = await incidentRow(1);
    expect(row.summary.length).toBeLessThanOrEqual(150);
    expect(row.summary).toMatch(/^Missed evening meds at Oak House because .*…$/);
    expect(row.what_happened).toBe(typed);
    const form = formOf(await debrief.press(interaction("UALICE"), "incident.details", "INC-1"));
    expect(doneOf(await debrief.submitForm(interaction("UALICE"), form.id, valuesOf(form), form.state)).text).toContain("INC-1 is updated");
  });

  it("refuses an NHS number in the summary, keeps what was typed, and stores nothing", async () => {
    await teamWithLead(null);
    const reply = await say("UALICE", "incident", "medication Missed meds for 943 476 5919");
    expect(reply).toMatch(/Nothing was logged.*NHS number/);
    expect(reply).toContain("Missed meds for 943 476 5919");
    expect(await incidentCount()).toBe(0);
    expect(await deliveries()).toEqual([]);
  });

  it("refuses a quick log longer than what happened can hold, naming the limit, keeping what was typed, and stores nothing", async () => {
    await teamWithLead(null);
    const typed = "The handover sheet was not read. ".repeat(100).trim();
    const reply = await say("UALICE", "incident", `medication ${typed}`);
    expect(reply).toMatch(/Nothing was logged\. Keep a quick log to 3000 characters; this one has \d+\..*\/incident/);
    expect(reply).toContain(typed);
    expect(await incidentCount()).toBe(0);
  });

  it("answers a mistyped show only to whoever typed it: nothing logged, nothing announced of what followed the reference", async () => {
    await teamWithLead(null);
    const reply = await say("UALICE", "incident", "show INC-3 YP-12 said he was hit by staff");
    expect(reply).toContain("/incident show takes one reference");
    expect(reply).toContain("You typed: show INC-3 YP-12 said he was hit by staff");
    expect(await incidentCount()).toBe(0);
    expect(await deliveries()).toEqual([]);
  });

  it("refuses a quick log mentioning more than 20 staff, keeping what was typed, and stores and sends nothing", async () => {
    await teamWithLead(null);
    const everyone = Array.from({ length: 21 }, (_, n) => `<@UP${n}>`).join(" ");
    const reply = await say("UALICE", "incident", `medication low Mass mention ${everyone}`);
    expect(reply).toContain("Nothing was logged. An incident can have at most 20 staff involved; this names 21.");
    expect(reply).toContain("Mass mention");
    expect(await incidentCount()).toBe(0);
    expect(await deliveries()).toEqual([]);
    // Twenty, each named once however often mentioned, is fine.
    const twenty = Array.from({ length: 20 }, (_, n) => `<@UP${n}>`).join(" ");
    expect(await say("UALICE", "incident", `medication low Busy shift ${twenty} <@UP0>`)).toContain("Logged INC-1");
  });

  it("logs a summary typed with a NUL byte and a tab, saving it without them", async () => {
    await teamWithLead(null);
    expect(await say("UALICE", "incident", "medication Missed\u0000 evening\tmeds")).toContain("Logged INC-1");
    expect(await incidentRow(1)).toMatchObject({ summary: "Missed evening meds" });
  });
});

describe("restricted incidents", () => {
  it("announces a safeguarding incident without its summary or location, and sends the details to the lead", async () => {
    await teamWithLead("ULEAD");
    const done = textOf(doneOf(await debrief.submitForm(interaction("UALICE"), "incident.new", SAFEGUARDING_FORM, "")));
    expect(done).toContain("Logged INC-1");
    expect(done).toContain("by reference only");
    expect(done).toContain("The details have gone to the team lead.");

    const rows = await deliveries();
    const announcement = rows.find((r) => r.target_kind === "channel");
    const briefing = rows.find((r) => r.target_kind === "person");
    expect(rows).toHaveLength(2);

    expect(announcement?.target_id).toBe(TEAM_CHANNEL);
    const shown = JSON.stringify(announcement?.view);
    expect(textOf(announcement!.view as MessageView)).toMatch(/INC-1 · Safeguarding \/ allegation of abuse · restricted/);
    expect(textOf(announcement!.view as MessageView)).toContain("Its details are shared only with those who need to know");
    for (const secret of ["Disclosure", "visitor", "Elm Lodge", "OH-17", "UALICE"]) expect(shown).not.toContain(secret);

    expect(briefing?.target_id).toBe("ULEAD");
    const details = textOf(briefing!.view as MessageView);
    for (const fact of ["INC-1", "Disclosure by OH-17 about a visitor", "told the key worker", "Elm Lodge", "Reported by: @UALICE", "Full review"]) {
      expect(details).toContain(fact);
    }
    expect(scheduler.scheduled).toEqual(expect.arrayContaining(rows.map((r) => String(r.id))));
    expect(await incidentRow(1)).toMatchObject({ restricted: true });
  });

  it("treats a quick log of moderate harm as restricted", async () => {
    await teamWithLead("ULEAD");
    await say("UALICE", "incident", "injury moderate Fell on the stairs at Oak House");
    const rows = await deliveries();
    const announcement = rows.find((r) => r.target_kind === "channel");
    expect(textOf(announcement!.view as MessageView)).toContain("restricted");
    expect(JSON.stringify(announcement!.view)).not.toContain("Fell on the stairs");
    expect(textOf(rows.find((r) => r.target_kind === "person")!.view as MessageView)).toContain("Fell on the stairs at Oak House");
  });

  it("says nobody else was told when the team has no lead", async () => {
    await teamWithLead(null);
    const reply = await say("UALICE", "incident", "safeguarding Allegation about night staff");
    expect(reply).toContain("Logged INC-1");
    expect(reply).toMatch(/no lead yet, so the details have gone to nobody else.*\/debrief lead/);
    const rows = await deliveries();
    expect(rows.map((r) => r.target_kind)).toEqual(["channel"]);
    expect(JSON.stringify(rows[0]!.view)).not.toContain("Allegation about night staff");
  });
});

describe("the incident form", () => {
  it("opens with no text, prefilled from a category and harm typed with it", async () => {
    expect(formOf(await debrief.command(interaction("UALICE"), "incident", "")).id).toBe("incident.new");
    const form = formOf(await debrief.command(interaction("UALICE"), "incident", "medication low"));
    expect(valuesOf(form)).toMatchObject({ category: "medication", physical_harm: "low" });
  });

  it("saves a valid form and records what was entered", async () => {
    await teamWithLead(null);
    const values: FormValues = {
      event_type: "near_miss",
      category: "medication",
      summary: "Wrong dose prepared, caught by checker",
      what_happened: "10 mg prepared instead of 5 mg.",
      occurred_at: new Date(Date.now() - 3 * 60 * 60_000),
      location: "Oak House",
      physical_harm: "none",
      involved: ["USAM"],
      notifications: ["regulator"],
      learning_response: "debrief",
    };
    const done = textOf(doneOf(await debrief.submitForm(interaction("UALICE"), "incident.new", values, "")));
    expect(done).toContain("Logged INC-1");
    expect(done).toContain("Wrong dose prepared, caught by checker");

    expect(await incidentRow(1)).toMatchObject({
      event_type: "near_miss",
      what_happened: "10 mg prepared instead of 5 mg.",
      location: "Oak House",
      notifications: ["regulator"],
      learning_response: "debrief",
      occurred_at: values.occurred_at,
    });
    const involved = await database.db.selectFrom("incident_person").select("person_id").execute();
    expect(involved).toEqual([{ person_id: "slack:T1:USAM" }]);
    const announcement = textOf((await deliveries())[0]!.view as MessageView);
    expect(announcement).toContain("Where: Oak House");
  });

  it("keeps an invalid form open with errors beside the inputs, and saves nothing", async () => {
    const submission = await debrief.submitForm(interaction("UALICE"), "incident.new", { category: "weather", summary: "" }, "");
    expect(submission).toEqual({
      kind: "errors",
      errors: { category: expect.stringMatching(/listed categories/), summary: expect.stringMatching(/summary/) },
    });
    expect(await incidentCount()).toBe(0);
  });

  it("refuses more than 20 staff involved beside the input, and saves nothing", async () => {
    const involved = Array.from({ length: 21 }, (_, n) => `UP${n}`);
    const submission = await debrief.submitForm(interaction("UALICE"), "incident.new", { category: "medication", summary: "Busy shift", involved }, "");
    expect(submission).toEqual({ kind: "errors", errors: { involved: "An incident can have at most 20 staff involved; this names 21." } });
    expect(await incidentCount()).toBe(0);
  });

  it("refuses an NHS number in what happened, and saves nothing", async () => {
    const submission = await debrief.submitForm(
      interaction("UALICE"),
      "incident.new",
      { category: "medication", summary: "Missed meds", what_happened: "Meds for 9434765919 missed" },
      "",
    );
    expect(submission).toEqual({ kind: "errors", errors: { what_happened: expect.stringMatching(/NHS number/) } });
    expect(await incidentCount()).toBe(0);
  });

  it("saves a form whose texts hold NUL bytes and direction overrides, without them", async () => {
    const values: FormValues = { category: "medication", summary: "Missed\u0000 meds", what_happened: "Found\u0000 at\r\nhandover", location: "Oak\u202e House", involved: ["USAM\u0000"] };
    expect(doneOf(await debrief.submitForm(interaction("UALICE"), "incident.new", values, "")).text).toContain("Logged INC-1");
    expect(await incidentRow(1)).toMatchObject({ summary: "Missed meds", what_happened: "Found at\nhandover", location: "Oak House" });
    expect(await database.db.selectFrom("incident_person").select("person_id").execute()).toEqual([{ person_id: "slack:T1:USAM" }]);
  });

  it("saves a form whose carried channel came back with a NUL byte, in that channel's team", async () => {
    await teamWithLead(null);
    const values: FormValues = { category: "medication", summary: "Missed meds" };
    expect(doneOf(await debrief.submitForm(interaction("UALICE", null), "incident.new", values, `${TEAM_CHANNEL}\u0000`)).text).toContain("Logged INC-1");
    expect(await incidentRow(1)).toMatchObject({ source_channel_id: TEAM_CHANNEL, team_id: expect.any(Number) });
  });

  it("refuses every free text past its limit beside its input, naming the limit, and saves nothing", async () => {
    const values: FormValues = {
      category: "medication",
      summary: "s".repeat(151),
      what_happened: "w".repeat(3001),
      location: "l".repeat(201),
      service_user_ref: "r".repeat(51),
      immediate_action: "i".repeat(3001),
    };
    expect(await debrief.submitForm(interaction("UALICE"), "incident.new", values, "")).toEqual({
      kind: "errors",
      errors: {
        summary: "Keep the summary to 150 characters; this one has 151. Put the rest under What happened.",
        what_happened: "Keep what happened to 3000 characters; this one has 3001.",
        location: "Keep the location to 200 characters; this one has 201.",
        service_user_ref: "Keep the reference to 50 characters; this one has 51. Use their pseudonymous reference, never a name.",
        immediate_action: "Keep the immediate action to 3000 characters; this one has 3001.",
      },
    });
    expect(await incidentCount()).toBe(0);
  });
});

describe("adding details", () => {
  it("opens the saved record in a form and saves changes, with before and after in the audit log", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication low Missed evening meds");

    const form = formOf(await debrief.press(interaction("UALICE"), "incident.details", "INC-1"));
    expect(form).toMatchObject({ id: "incident.details", state: "INC-1" });
    const values = valuesOf(form);
    expect(values).toMatchObject({ category: "medication", summary: "Missed evening meds", physical_harm: "low", event_type: "incident" });

    const saved = await debrief.submitForm(
      interaction("UALICE"),
      form.id,
      { ...values, location: "Oak House", what_happened: "The 6pm round was missed at handover.", involved: ["USAM"] },
      form.state,
    );
    expect(textOf(doneOf(saved))).toContain("INC-1 is updated");

    expect(await incidentRow(1)).toMatchObject({ location: "Oak House", what_happened: "The 6pm round was missed at handover.", summary: "Missed evening meds" });
    const [audit] = await auditRows("incident.updated");
    expect(audit).toMatchObject({ subject: "INC-1", actor_id: "slack:T1:UALICE" });
    expect(audit!.before).toMatchObject({ location: null, whatHappened: null, involved: [] });
    expect(audit!.after).toMatchObject({ location: "Oak House", whatHappened: "The 6pm round was missed at handover.", involved: ["slack:T1:USAM"] });
  });

  it("does not open the details of someone else's incident to a colleague outside it", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const reply = textOf(replyOf(await debrief.press(interaction("UOTHER"), "incident.details", "INC-1")));
    expect(reply).toMatch(/Only those who need to know/);
  });

  it("refuses a details form from an outsider and leaves the record as it was", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const submission = await debrief.submitForm(interaction("UOTHER"), "incident.details", { category: "other", summary: "Nothing happened" }, "INC-1");
    expect(submission).toEqual({ kind: "errors", errors: { summary: expect.stringMatching(/Only those who need to know/) } });
    expect(await incidentRow(1)).toMatchObject({ category: "medication", summary: "Missed evening meds" });
  });

  it("sends the details to the lead at once when the harm is raised to moderate", async () => {
    await teamWithLead("ULEAD");
    await say("UALICE", "incident", "injury low Slipped in the kitchen");
    expect((await deliveries()).map((r) => r.target_kind)).toEqual(["channel"]);

    const form = formOf(await debrief.press(interaction("UALICE"), "incident.details", "INC-1"));
    doneOf(await debrief.submitForm(interaction("UALICE"), form.id, { ...valuesOf(form), physical_harm: "moderate" }, form.state));

    const dm = (await deliveries()).find((r) => r.target_kind === "person");
    expect(dm?.target_id).toBe("ULEAD");
    const details = textOf(dm!.view as MessageView);
    expect(details).toContain("Slipped in the kitchen");
    expect(details).toContain("Moderate harm");
    expect(scheduler.scheduled).toContain(String(dm!.id));
    expect(await incidentRow(1)).toMatchObject({ restricted: true, physical_harm: "moderate" });
  });

  async function raiseHarm(): Promise<void> {
    const form = formOf(await debrief.press(interaction("UALICE"), "incident.details", "INC-1"));
    doneOf(await debrief.submitForm(interaction("UALICE"), form.id, { ...valuesOf(form), physical_harm: "moderate" }, form.state));
  }

  it("takes the summary out of an announcement not yet posted when the harm is raised to moderate", async () => {
    await teamWithLead("ULEAD");
    await say("UALICE", "incident", "injury low Slipped in the kitchen");
    await raiseHarm();

    const rows = await deliveries();
    expect(rows.map((r) => r.dedupe_key)).toEqual(["incident-1-announce", "incident-1-lead"]);
    const announcement = rows[0]!;
    expect(announcement).toMatchObject({ target_kind: "channel", target_id: TEAM_CHANNEL, status: "pending" });
    expect(textOf(announcement.view as MessageView)).toContain("INC-1 · Accident, injury or fall · restricted");
    expect(JSON.stringify(announcement.view)).not.toContain("Slipped");
  });

  it("edits an announcement already posted when the harm is raised to moderate, so the channel no longer shows the summary", async () => {
    await teamWithLead("ULEAD");
    await say("UALICE", "incident", "injury low Slipped in the kitchen");
    // As the delivery worker leaves it once Slack has the message.
    const announcement = (await deliveries())[0]!;
    await database.db
      .updateTable("delivery")
      .set({ status: "sent", sent_at: new Date(), message_channel_id: TEAM_CHANNEL, message_id: "1700000000.000100" })
      .where("id", "=", announcement.id)
      .execute();
    await raiseHarm();

    const rows = await deliveries();
    expect(rows.find((r) => r.id === announcement.id)).toMatchObject({ status: "sent", view: announcement.view });
    const edit = rows.find((r) => r.dedupe_key === "incident-1-announce-restricted");
    expect(edit).toMatchObject({ target_kind: "message", target_id: String(announcement.id), platform: "slack", workspace_id: "T1", status: "pending" });
    expect(textOf(edit!.view as MessageView)).toContain("INC-1 · Accident, injury or fall · restricted");
    expect(JSON.stringify(edit!.view)).not.toContain("Slipped");
    expect(scheduler.scheduled).toContain(String(edit!.id));
    expect(rows.find((r) => r.target_kind === "person")?.target_id).toBe("ULEAD");

    // Saving the form again changes nothing more: the incident was already restricted.
    await raiseHarm();
    expect(await deliveries()).toHaveLength(rows.length);
  });

  it("gives the lead times in their own zone when their profile has one", async () => {
    await teamWithLead("ULEAD");
    await database.db.updateTable("person").set({ time_zone: "America/New_York" }).where("user_id", "=", "ULEAD").execute();
    const occurredAt = new Date("2026-11-20T15:30:00Z");
    doneOf(await debrief.submitForm(interaction("UALICE"), "incident.new", { ...SAFEGUARDING_FORM, occurred_at: occurredAt }, ""));

    const dm = (await deliveries()).find((r) => r.target_kind === "person");
    expect(textOf(dm!.view as MessageView)).toContain("When: Fri 20 Nov 2026, 10:30");
  });

  it("shows /incident show's times in the reader's own zone", async () => {
    await teamWithLead("ULEAD");
    doneOf(await debrief.submitForm(interaction("UALICE"), "incident.new", { ...SAFEGUARDING_FORM, occurred_at: new Date("2026-11-20T15:30:00Z") }, ""));
    expect(await say("ULEAD", "incident", "show INC-1")).toContain("When: Fri 20 Nov 2026, 15:30");
    await database.db.updateTable("person").set({ time_zone: "America/New_York" }).where("user_id", "=", "ULEAD").execute();
    expect(await say("ULEAD", "incident", "show INC-1")).toContain("When: Fri 20 Nov 2026, 10:30");
  });
});

describe("who sees what", () => {
  /** alice reports; sam is involved and reports to mgr; lead leads; other is a colleague outside it. */
  async function circle(): Promise<void> {
    await teamWithLead("ULEAD");
    await say("ULEAD", "debrief", "manager <@USAM> <@UMGR>");
    doneOf(
      await debrief.submitForm(
        interaction("UALICE"),
        "incident.new",
        { category: "medication", summary: "Missed evening meds", what_happened: "Handover did not mention the 6pm round.", involved: ["USAM"] },
        "",
      ),
    );
    doneOf(await debrief.submitForm(interaction("UALICE"), "incident.new", { ...SAFEGUARDING_FORM, involved: ["USAM"] }, ""));
  }

  it("shows the full record to the reporter, those involved, their manager and the lead", async () => {
    await circle();
    for (const who of ["UALICE", "USAM", "UMGR", "ULEAD"]) {
      const shown = await say(who, "incident", "show INC-1");
      expect(shown, who).toContain("Handover did not mention the 6pm round.");
      expect(shown, who).toContain("Staff involved: @USAM");
      const restricted = await say(who, "incident", "show INC-2");
      expect(restricted, who).toContain("Disclosure by OH-17 about a visitor");
      expect(restricted, who).toContain("Elm Lodge");
    }
  });

  it("gives the record and the lead's briefing the display names of the reporter and those involved, for platforms that show names", async () => {
    directory.names.set("UALICE", "Alice Adams");
    directory.names.set("USAM", "Sam Smith");
    await circle();
    const shown = replyOf(await debrief.command(interaction("ULEAD"), "incident", "show INC-1"));
    const fields = (shown.sections ?? []).flatMap((s) => s.fields ?? []);
    expect(fields.find((f) => f.label === "Reported by")?.value).toEqual([{ mention: "UALICE", name: "Alice Adams" }]);
    expect(fields.find((f) => f.label === "Staff involved")?.value).toEqual([{ mention: "USAM", name: "Sam Smith" }]);
    expect(textOf(shown)).toContain("Staff involved: @USAM"); // what Slack and the console show is unchanged

    const briefing = (await deliveries()).find((d) => d.target_kind === "person" && d.target_id === "ULEAD")?.view as MessageView;
    const briefed = (briefing.sections ?? []).flatMap((s) => s.fields ?? []);
    expect(briefed.find((f) => f.label === "Reported by")?.value).toEqual([{ mention: "UALICE", name: "Alice Adams" }]);
  });

  it("shows others only the outline, and of a restricted incident not even the summary", async () => {
    await circle();
    const outline = await say("UOTHER", "incident", "show INC-1");
    expect(outline).toContain("INC-1 · Medication");
    expect(outline).toContain("Missed evening meds");
    expect(outline).not.toContain("Handover");
    expect(outline).not.toContain("USAM");
    expect(outline).toMatch(/Only the reporter, the staff involved, their managers and the lead see the full record/);

    const restricted = await say("UOTHER", "incident", "show INC-2");
    expect(restricted).toContain("INC-2 · Safeguarding");
    expect(restricted).toContain("restricted");
    for (const secret of ["Disclosure", "visitor", "Elm Lodge", "OH-17"]) expect(restricted).not.toContain(secret);
  });

  it("says when an incident does not exist", async () => {
    expect(await say("UALICE", "incident", "show INC-42")).toMatch(/couldn't find INC-42/);
  });

  it("lists open incidents, hiding a restricted summary from those outside it", async () => {
    await circle();
    const outsider = await say("UOTHER", "incident", "list");
    expect(outsider).toContain("2 open incidents in #oak-house");
    expect(outsider).toContain("INC-1 · Medication · Open — Missed evening meds");
    expect(outsider).toMatch(/INC-2 · Safeguarding \/ allegation of abuse · Open — restricted/);
    expect(outsider).not.toContain("Disclosure");

    const lead = await say("ULEAD", "incident", "list");
    expect(lead).toContain("INC-2 · Safeguarding / allegation of abuse · Open — Disclosure by OH-17 about a visitor");
  });
});

describe("closing", () => {
  it("asks for the lesson when none is given", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const reply = await say("UALICE", "incident", "close INC-1");
    expect(reply).toMatch(/What did the team learn\?.*\/incident close INC-1/);
    expect(reply).toContain("/incident close INC-12 [lesson…]");
    expect(await incidentRow(1)).toMatchObject({ status: "open", lesson: null });
  });

  it("is refused to someone outside the incident", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const reply = await say("UOTHER", "incident", "close INC-1 Nothing to learn");
    expect(reply).toMatch(/Only the reporter, the team lead or a line manager of those involved can close INC-1/);
    expect(await incidentRow(1)).toMatchObject({ status: "open", lesson: null });
    expect(await auditRows("incident.closed")).toEqual([]);
  });

  it("records the lesson, audits it, and posts a closed notice to the team channel", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const reply = await say("UALICE", "incident", "close INC-1 Check the MAR chart at every handover");
    expect(reply).toContain("INC-1 is closed, with its lesson recorded.");

    const row = await incidentRow(1);
    expect(row).toMatchObject({ status: "closed", lesson: "Check the MAR chart at every handover" });
    expect(row.closed_at).toBeInstanceOf(Date);
    expect(await auditRows("incident.closed")).toEqual([
      expect.objectContaining({ subject: "INC-1", before: { status: "open" }, after: { status: "closed", lesson: "Check the MAR chart at every handover" } }),
    ]);

    const notice = (await deliveries()).find((r) => r.dedupe_key.endsWith("-closed"));
    expect(notice?.target_id).toBe(TEAM_CHANNEL);
    const text = textOf(notice!.view as MessageView);
    expect(text).toContain("INC-1 · Medication has been closed.");
    expect(text).toContain("Check the MAR chart at every handover");
    expect(scheduler.scheduled).toContain(String(notice!.id));

    expect(await say("UALICE", "incident", "close INC-1 Again")).toContain("INC-1 is already closed.");
    expect(await say("UALICE", "incident", "list")).toContain("No open incidents");
  });

  it("closes with a lesson typed with half an emoji, recording it and its audit entry with a replacement character", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    expect(await say("UALICE", "incident", "close INC-1 Check the MAR chart \ud83d")).toContain("INC-1 is closed, with its lesson recorded.");
    expect(await incidentRow(1)).toMatchObject({ status: "closed", lesson: "Check the MAR chart \ufffd" });
    expect(await auditRows("incident.closed")).toEqual([expect.objectContaining({ after: { status: "closed", lesson: "Check the MAR chart \ufffd" } })]);
  });

  it("refuses a lesson holding an NHS number or date of birth, keeping the incident open and the words typed", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    for (const lesson of ["Check 943 476 5919's MAR at handover", "Check the MAR of the child with DOB 12/03/2009"]) {
      const reply = await say("UALICE", "incident", `close INC-1 ${lesson}`);
      expect(reply).toMatch(/INC-1 is still open.*(NHS number|date of birth).*reference/);
      expect(reply).toContain(lesson);
    }
    expect(await incidentRow(1)).toMatchObject({ status: "open", lesson: null });
    expect((await deliveries()).filter((r) => r.dedupe_key.endsWith("-closed"))).toEqual([]);
  });

  it("refuses a lesson past 1000 characters, naming the limit, keeping the incident open and the words typed", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const lesson = "Check the MAR chart at every handover. ".repeat(30).trim();
    const reply = await say("UALICE", "incident", `close INC-1 ${lesson}`);
    expect(reply).toMatch(/INC-1 is still open\. Keep the lesson to 1000 characters; this one has 1169\./);
    expect(reply).toContain(lesson);
    expect(await incidentRow(1)).toMatchObject({ status: "open", lesson: null });
    expect((await deliveries()).filter((r) => r.dedupe_key.endsWith("-closed"))).toEqual([]);
  });

  it("does not put the lesson of a restricted incident in the channel", async () => {
    await teamWithLead("ULEAD");
    await say("UALICE", "incident", "safeguarding Allegation about night staff");
    await say("ULEAD", "incident", "close INC-1 Two staff on nights at Elm Lodge");
    const notice = (await deliveries()).find((r) => r.dedupe_key.endsWith("-closed"));
    expect(textOf(notice!.view as MessageView)).toContain("INC-1 · Safeguarding / allegation of abuse · restricted has been closed.");
    expect(JSON.stringify(notice!.view)).not.toContain("Elm Lodge");
  });
});

describe("a request run twice", () => {
  it("logs its incident once: the second run answers with the first's reference and sends nothing more", async () => {
    await teamWithLead();
    const request: Interaction = { ...interaction("UALICE"), requestId: "13345224609.738474920.8088930838d88f008e0" };
    const first = await say(request, "incident", "safeguarding Disclosure during evening shift");
    const again = await say(request, "incident", "safeguarding Disclosure during evening shift");
    expect(first).toContain("Logged INC-1");
    expect(again).toBe(first);
    expect(await incidentCount()).toBe(1);
    expect((await incidentRow(1)).request_id).toBe(request.requestId);
    // The announcement and the lead's briefing, recorded with the incident, once each.
    expect((await deliveries()).map((d) => d.target_kind).sort()).toEqual(["channel", "person"]);
    expect(await auditRows("incident.logged")).toHaveLength(1);
  });

  it("logs the same words typed again as a new incident, since it is a new request", async () => {
    await teamWithLead(null);
    const first = await say({ ...interaction("UALICE"), requestId: "1.1.a" }, "incident", "medication Missed evening meds");
    const second = await say({ ...interaction("UALICE"), requestId: "1.1.b" }, "incident", "medication Missed evening meds");
    expect([first, second].map((r) => /Logged (INC-\d+)/.exec(r)?.[1])).toEqual(["INC-1", "INC-2"]);
    expect(await incidentCount()).toBe(2);
  });
});

describe("references under load", () => {
  it("gives 100 reports arriving at once INC-1…INC-100, each announced once", async () => {
    await teamWithLead(null);
    const reporters = Array.from({ length: 10 }, (_, i) => `UREP${i}`);
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => say(reporters[i % 10]!, "incident", `medication Report number ${i}`)),
    );

    const refs = replies.map((r) => /Logged (INC-\d+)/.exec(r)?.[1]);
    expect(refs.filter((r) => r === undefined), replies.find((r) => !/Logged INC-/.test(r))).toEqual([]);
    expect(new Set(refs).size).toBe(100);
    expect([...refs].sort((a, b) => Number(a!.slice(4)) - Number(b!.slice(4)))).toEqual(Array.from({ length: 100 }, (_, i) => `INC-${i + 1}`));

    const numbers = (await database.db.selectFrom("incident").select("number").orderBy("number").execute()).map((r) => r.number);
    expect(numbers).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const rows = await deliveries();
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(100);
    expect(rows.every((r) => r.target_kind === "channel" && r.target_id === TEAM_CHANNEL)).toBe(true);
    expect(new Set(scheduler.scheduled).size).toBe(100);
  });

  it("saves a report that has to wait for a busy database, rather than saying it could not be reached", async () => {
    await teamWithLead(null);
    // Every pooled connection (the pool holds 10) is busy for 1.7 s: the database is up, just busy, as under a burst
    // of reports on a loaded machine.
    const busy = Promise.all(Array.from({ length: 10 }, () => sql`select pg_sleep(1.7)`.execute(database.db)));
    // Asked on a connection of its own: every one of the pool's is busy.
    await waitFor(async () => {
      const { rows } = await admin(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep(1.7)%' and state = 'active'",
        database.url,
      );
      return Number(rows[0]!.n) >= 10;
    }, { timeoutMs: 1500, intervalMs: 10 });
    const reply = await say("UALICE", "incident", "medication Missed evening meds");
    await busy;
    expect(reply).toContain("Logged INC-1");
    expect(await incidentCount()).toBe(1);
  });
});

describe("workspaces", () => {
  it("number incidents per workspace and keep each workspace's incidents to itself", async () => {
    const elsewhere: Interaction = {
      actor: { platform: "slack", workspaceId: "T2", userId: "UALICE" },
      channel: { platform: "slack", workspaceId: "T2", channelId: "COTHER" },
    };
    expect(await say("UALICE", "incident", "medication First in T1")).toContain("Logged INC-1");
    expect(await say("UALICE", "incident", "medication Second in T1")).toContain("Logged INC-2");
    expect(await say(elsewhere, "incident", "medication First in T2")).toContain("Logged INC-1");

    expect(await say(elsewhere, "incident", "show INC-2")).toMatch(/couldn't find INC-2 in this workspace/);
    const shown = await say(elsewhere, "incident", "show INC-1");
    expect(shown).toContain("First in T2");
    expect(shown).not.toContain("First in T1");
  });
});

describe("the audit log", () => {
  it("refuses to change or remove history", async () => {
    await teamWithLead(null);
    await say("UALICE", "incident", "medication Missed evening meds");
    const before = await database.db.selectFrom("audit_log").selectAll().orderBy("id").execute();
    // Alice's first report from the team channel makes it her home team, on the record too.
    expect(before.map((r) => r.action)).toEqual(["team.created", "incident.logged", "person.team_set"]);

    await expect(sql`update audit_log set action = 'nothing.happened'`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    expect(await database.db.selectFrom("audit_log").selectAll().orderBy("id").execute()).toEqual(before);
  });
});

describe("when the database does not answer", () => {
  const closedPort = "postgres://postgres@127.0.0.1:1/x";

  async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket); // accepts the connection and never says a word, like a hung Postgres
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/x`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  async function expectUnavailable(url: string): Promise<void> {
    const db = await openDatabase({ url, dataDir: "" });
    try {
      const core = coreOn(db);
      const started = Date.now();
      const reply = textOf(replyOf(await core.command(interaction("UALICE"), "incident", "medication Missed evening meds at Oak House")));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(reply).toMatch(/could not reach its database, so nothing was saved.*try again/i);
      expect(reply).toContain("You typed: medication Missed evening meds at Oak House");

      const submitted = Date.now();
      const submission = await core.submitForm(interaction("UALICE"), "incident.new", { category: "medication", summary: "Missed meds" }, "");
      expect(Date.now() - submitted).toBeLessThan(3000);
      expect(submission).toEqual({ kind: "errors", errors: { summary: expect.stringMatching(/could not reach its database, so nothing was saved/) } });
      expect(scheduler.scheduled).toEqual([]);
    } finally {
      await db.destroy();
    }
  }

  it("says within 3 seconds that nothing was saved, and shows what was typed, when Postgres is down", async () => {
    await expectUnavailable(closedPort);
  });

  it("says the same within 3 seconds when Postgres accepts connections but never answers", async () => {
    const silent = await silentServer();
    try {
      await expectUnavailable(silent.url);
    } finally {
      await silent.close();
    }
  });
});

describe("bad input", () => {
  it("says what was wrong with /action and shows the right form and what was typed", async () => {
    const reply = await say("UALICE", "action", "garbage");
    expect(reply).toMatch(/`garbage` isn't something I know for \/action/);
    expect(reply).toContain("/action INC-12 @owner <due> <text…>");
    expect(reply).toContain("You typed: garbage");
  });

  it("says what was wrong with /debrief and shows its usage", async () => {
    const reply = await say("UALICE", "debrief", "frobnicate now");
    expect(reply).toMatch(/`frobnicate` isn't something I know for \/debrief/);
    expect(reply).toContain("/debrief setup");
    expect(reply).toContain("/debrief lead @person");
    expect(reply).toContain("You typed: frobnicate now");
    expect(await incidentCount()).toBe(0);
  });

  it("answers /debrief help with every command", async () => {
    const reply = await say("UALICE", "debrief", "help");
    for (const usage of ["/incident list", "/action INC-12 @owner", "/reflect export", "/debrief manager @person @manager"]) expect(reply).toContain(usage);
  });

  it("records the people mentioned in a quick log as involved, and names them in the summary rather than by id", async () => {
    await teamWithLead();
    directory.names.set("USAM", "Sam Jones");
    directory.names.set("UALEX", "Alex");
    const reply = await say("UALICE", "incident", "medication low Wrong dose given by <@USAM> and <@UALEX>, checked by <@USAM>");
    expect(reply).toContain("Logged INC-1");
    const row = await incidentRow(1);
    expect(row.summary).toBe("Wrong dose given by @Sam Jones and @Alex, checked by @Sam Jones");
    const involved = await database.db.selectFrom("incident_person").select("person_id").where("incident_id", "=", row.id).orderBy("person_id").execute();
    expect(involved.map((r) => r.person_id)).toEqual(["slack:T1:UALEX", "slack:T1:USAM"]);
    // Involved, they see the record: the circle is what the form's Staff involved would have made it.
    expect(await say("USAM", "incident", "show INC-1")).toContain("Staff involved");
  });

  it("logs nothing when a quick log mentions someone the platform does not know, and says who", async () => {
    await teamWithLead();
    directory.missing.add("UGONE");
    const reply = await say("UALICE", "incident", "medication low Wrong dose given by <@UGONE>");
    expect(reply).toMatch(/couldn't find the user UGONE/);
    expect(reply).toContain("You typed: medication low Wrong dose given by <@UGONE>");
    expect(await incidentCount()).toBe(0);
  });

  it("answers /incident help with the same help, rather than logging an incident called help", async () => {
    const reply = await say("UALICE", "incident", "help");
    for (const usage of ["/incident list", "/action INC-12 @owner", "/reflect export", "/debrief manager @person @manager"]) expect(reply).toContain(usage);
    expect(await incidentCount()).toBe(0);
  });
});
