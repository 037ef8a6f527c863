import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { DeliveryScheduler } from "../../src/delivery/outbox.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import { pruneRequests } from "../../src/store/requests.ts";
import type { FormValues } from "../../src/views/view.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { doneOf, errorsOf, formOf, replyOf, textOf } from "../support/outcomes.ts";

/**
 * A request that arrives more than once (a retried job, a worker killed mid-way, a platform resending, a double click)
 * changes things once and is answered as the first time, through the core's three doors, on a real Postgres.
 */

// ULEAD may make team spaces and appoint leads wherever those are an admin's to do.
const config = readConfig({ DEBRIEF_ADMINS: "ULEAD" });

let database: TestDatabase;
let directory: FakeDirectory;
let scheduler: FakeScheduler;
let debrief: Debrief;

const coreWith = (deliveries: DeliveryScheduler): Debrief =>
  createDebrief({ db: database.db, deliveries, directories: { slack: directory }, files: {}, prompts: new FakeScheduler(), config, log: silentLog, now: () => new Date() });

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new FakeDirectory();
  scheduler = new FakeScheduler();
  debrief = coreWith(scheduler);
});

afterEach(async () => {
  await database.drop();
});

// ── what a user sees ─────────────────────────────────────────────────────────

/** Someone acting in the team channel, in a request with this id. */
const request = (user: string, requestId: string): Interaction => ({ ...interaction(user), requestId });

async function say(who: Interaction | string, name: "incident" | "action" | "debrief", text: string): Promise<string> {
  return textOf(replyOf(await debrief.command(typeof who === "string" ? interaction(who) : who, name, text)));
}

const MEDICATION_FORM: FormValues = { category: "medication", summary: "Missed evening meds", physical_harm: "none" };

// ── what is stored ───────────────────────────────────────────────────────────

const count = async (table: "incident" | "action" | "delivery" | "request") =>
  Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
const dmsTo = (userId: string) =>
  database.db.selectFrom("delivery").selectAll().where("target_kind", "=", "person").where("target_id", "=", userId).execute();
const announcements = () => database.db.selectFrom("delivery").selectAll().where("target_kind", "=", "channel").execute();

/** A team space led by ULEAD, where sam reports to mgr, and alice has logged INC-1. */
async function teamWithIncident(): Promise<void> {
  await say(interaction("ULEAD", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
  await say("ULEAD", "debrief", "lead <@ULEAD>");
  expect(await say("UALICE", "incident", "medication low Missed evening meds at Oak House")).toContain("Logged INC-1");
}

describe("a command that arrives twice", () => {
  beforeEach(teamWithIncident);

  it("adds one action and tells its owner once, and answers the second arrival as the first", async () => {
    const again = request("UALICE", "1001.1.action");
    const first = await say(again, "action", "INC-1 <@USAM> by friday Check the MAR chart at handover");
    const second = await say(again, "action", "INC-1 <@USAM> by friday Check the MAR chart at handover");
    expect(first).toContain("Added A-1 for INC-1");
    expect(second).toBe(first);
    expect(await count("action")).toBe(1);
    const [dm, ...more] = await dmsTo("USAM");
    expect(more).toEqual([]);
    expect(scheduler.scheduled.filter((id) => id === String(dm!.id))).toHaveLength(1);
  });

  it("answers a repeated /action done and /incident close with what the first run said, not that it is already done", async () => {
    await say("UALICE", "action", "INC-1 <@USAM> by friday Check the MAR chart at handover");
    const done = request("USAM", "1001.2.done");
    expect(await say(done, "action", "done A-1 Added to the handover sheet")).toContain("A-1 for INC-1: Check the MAR chart at handover is done");
    expect(await say(done, "action", "done A-1 Added to the handover sheet")).toContain("A-1 for INC-1: Check the MAR chart at handover is done");

    const close = request("UALICE", "1001.3.close");
    expect(await say(close, "incident", "close INC-1 Check the MAR chart at every handover")).toContain("INC-1 is closed, with its lesson recorded.");
    expect(await say(close, "incident", "close INC-1 Check the MAR chart at every handover")).toContain("INC-1 is closed, with its lesson recorded.");
    expect((await announcements()).filter((d) => d.dedupe_key.endsWith("-closed"))).toHaveLength(1);
  });

  it("does the work once when it runs twice at the same moment, and both runs hear the same answer", async () => {
    const twice = request("UALICE", "1001.4.together");
    const [first, second] = await Promise.all([
      say(twice, "action", "INC-1 <@USAM> by friday Ring the GP about the missed dose"),
      say(twice, "action", "INC-1 <@USAM> by friday Ring the GP about the missed dose"),
    ]);
    expect(first).toContain("Added A-1 for INC-1");
    expect(second).toBe(first);
    expect(await count("action")).toBe(1);
    expect(await dmsTo("USAM")).toHaveLength(1);

    const logged = await Promise.all([0, 1].map(() => say(request("UBEN", "1001.5.together"), "incident", "injury low Slipped in the garden")));
    expect(logged[0]).toContain("Logged INC-2");
    expect(logged[1]).toBe(logged[0]);
    expect(await count("incident")).toBe(2);
  });

  it("claims nothing when the work is refused, so the same request runs once the problem is gone", async () => {
    directory.missing.add("UNEW");
    const refused = request("UNEW", "1001.6.refused");
    expect(await say(refused, "incident", "medication none Missed lunchtime meds")).toContain("I couldn't find the user UNEW");
    expect(await count("request")).toBe(0);

    directory.missing.delete("UNEW");
    expect(await say(refused, "incident", "medication none Missed lunchtime meds")).toContain("Logged INC-2");
    expect(await count("incident")).toBe(2);
  });

  it("logs once when a quick log's request has been forgotten and it runs again", async () => {
    const forgotten = request("UALICE", "1001.7.forgotten");
    const first = await say(forgotten, "incident", "falls low Found on the floor by the bed");
    await sql`delete from request`.execute(database.db);
    // The incident's own request id still finds it, inside the request's transaction.
    expect(await say(forgotten, "incident", "falls low Found on the floor by the bed")).toBe(first);
    expect(await count("incident")).toBe(2);
    expect(await announcements()).toHaveLength(2);
  });
});

describe("a form submitted twice", () => {
  beforeEach(teamWithIncident);

  it("logs one incident and records one announcement, and both submissions see the same confirmation", async () => {
    const submit = () => debrief.submitForm(request("UALICE", "submit-UALICE-V0TWICE"), "incident.new", MEDICATION_FORM, TEAM_CHANNEL);
    const first = textOf(doneOf(await submit()));
    expect(first).toContain("Logged INC-2");
    expect(textOf(doneOf(await submit()))).toBe(first);
    expect(await count("incident")).toBe(2);
    expect(await announcements()).toHaveLength(2);
  });

  it("is saved once corrected when it first came back with errors", async () => {
    const same = request("UALICE", "submit-UALICE-V0FIXED");
    expect(errorsOf(await debrief.submitForm(same, "incident.new", { ...MEDICATION_FORM, summary: "" }, TEAM_CHANNEL))).toHaveProperty("summary");
    expect(textOf(doneOf(await debrief.submitForm(same, "incident.new", MEDICATION_FORM, TEAM_CHANNEL)))).toContain("Logged INC-2");
    expect(await count("incident")).toBe(2);
  });

  it("is saved once the refusal that stopped it is gone", async () => {
    const same = request("UMGR", "submit-UMGR-V0ACTION");
    const values: FormValues = { owner: ["USAM"], due: "by friday", what: "Check the MAR chart" };
    expect(errorsOf(await debrief.submitForm(same, "action.new", values, "INC-1")).summary).toContain("Only those who can see the details of INC-1");
    // Alice's manager is in INC-1's circle: the same form, sent again, is saved.
    expect(await say("ULEAD", "debrief", "manager <@UALICE> <@UMGR>")).toContain("UMGR");
    expect(textOf(doneOf(await debrief.submitForm(same, "action.new", values, "INC-1")))).toContain("Added A-1 for INC-1");
    expect(textOf(doneOf(await debrief.submitForm(same, "action.new", values, "INC-1")))).toContain("Added A-1 for INC-1");
    expect(await count("action")).toBe(1);
  });
});

describe("a button pressed twice", () => {
  beforeEach(teamWithIncident);

  it("opens its form each time, with the record as it is now", async () => {
    const press = () => debrief.press(request("UALICE", "press-UALICE-1764100000.000100-incident.details-INC-1"), "incident.details", "INC-1");
    expect(formOf(await press()).inputs.find((i) => i.id === "summary")?.initial).toBe("Missed evening meds at Oak House");
    doneOf(await debrief.submitForm(request("UALICE", "submit-UALICE-V0DETAILS"), "incident.details", { ...MEDICATION_FORM, summary: "Evening meds missed" }, "INC-1"));
    expect(formOf(await press()).inputs.find((i) => i.id === "summary")?.initial).toBe("Evening meds missed");
  });

  it("that changes something does it once, and answers the second press as the first, not that it is already done", async () => {
    await say("UALICE", "action", "INC-1 <@USAM> by friday Check the MAR chart at handover");
    const asked = replyOf(await debrief.command(interaction("UALICE"), "incident", "close INC-1 Check the MAR chart at every handover"));
    const anyway = asked.buttons!.find((b) => b.label.startsWith("Close INC-1"))!;
    const press = () => debrief.press(request("UALICE", `press-UALICE-1764100000.000200-${anyway.id}-INC-1`), anyway.id, anyway.value);
    const first = textOf(replyOf(await press()));
    expect(first).toContain("INC-1 is closed");
    expect(textOf(replyOf(await press()))).toBe(first);
    const closed = await database.db.selectFrom("audit_log").select("id").where("action", "=", "incident.closed").execute();
    expect(closed).toHaveLength(1);
    expect((await announcements()).filter((d) => d.dedupe_key.endsWith("-closed"))).toHaveLength(1);
  });

  it("is refused each time to someone who may not, changing nothing", async () => {
    const press = () => debrief.press(request("UOTHER", "press-UOTHER-1764100000.000100-incident.action-INC-1"), "incident.action", "INC-1");
    expect(textOf(replyOf(await press()))).toContain("Only those who can see the details of INC-1");
    expect(textOf(replyOf(await press()))).toContain("Only those who can see the details of INC-1");
    expect(await count("request")).toBe(0);
  });
});

describe("a request's messages", () => {
  it("are queued only once the request has committed, so a delivery worker finds them", async () => {
    // What a delivery worker would find, read on a connection of its own as each id is queued.
    const found: boolean[] = [];
    debrief = coreWith({
      async schedule(ids) {
        for (const id of ids) found.push((await database.db.selectFrom("delivery").select("id").where("id", "=", id).executeTakeFirst()) !== undefined);
      },
    });
    await say(request("ULEAD", "1001.8.setup"), "debrief", "setup");
    await say(request("UALICE", "1001.9.log"), "incident", "medication low Missed evening meds at Oak House");
    await say(request("UALICE", "1001.10.action"), "action", "INC-1 <@USAM> by friday Check the MAR chart");
    // The announcement of INC-1 and the owner's direct message at least.
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found).not.toContain(false);
  });
});

describe("remembering requests", () => {
  it("forgets those older than a day, keeping the rest", async () => {
    await teamWithIncident();
    await say(request("UALICE", "1001.11.old"), "incident", "medication none Old report");
    await say(request("UALICE", "1001.12.new"), "incident", "medication none New report");
    await sql`update request set created_at = now() - interval '25 hours' where request_id = 'UALICE-1001.11.old'`.execute(database.db);
    expect(await pruneRequests(database.db)).toBe(1);
    expect(await database.db.selectFrom("request").select("request_id").execute()).toEqual([{ request_id: "UALICE-1001.12.new" }]);
  });

  it("replays a stored answer only to the person who asked, so a repeated id never shows someone else a restricted record", async () => {
    await teamWithIncident();
    await say("UALICE", "incident", "safeguarding Disclosure made during key work");
    expect(await say(request("ULEAD", "1001.13.show"), "incident", "show INC-2")).toContain("Disclosure made during key work");
    const outsider = await say(request("UOTHER", "1001.13.show"), "incident", "show INC-2");
    expect(outsider).toContain("restricted");
    expect(outsider).not.toContain("Disclosure");
  });
});
