import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig, settingsOf } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import { advancePrompt, type PromptingDeps } from "../../src/features/reflections/prompting.ts";
import type { Debrief, Interaction } from "../../src/interaction.ts";
import type { FileDrop, FileToSend, PersonRef } from "../../src/ports.ts";
import type { FormValues, FormView, MessageView } from "../../src/views/view.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL, WORKSPACE } from "../support/fakes.ts";
import { doneOf, errorsOf, formOf, replyOf, textOf } from "../support/outcomes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

/**
 * Reflection prompts through the core, on real Postgres, with the prompt jobs run by hand at chosen times. The cast:
 * alice reports; sam and jo are involved; sam reports to mgr; lead leads the team; UADMIN is an admin.
 */

const SAM_SECRET = "I froze when the MAR chart did not match and I felt sick about it";
const SAM_LESSON = "Check the MAR chart against the blister pack before every round";

let database: TestDatabase;
let debrief: Debrief;
let clock: Date;
let prompting: PromptingDeps;
let prompts: FakeScheduler;
let deliveries: FakeScheduler;
const sent: { person: PersonRef; file: FileToSend }[] = [];
const files: FileDrop = {
  async sendToPerson(person, file) {
    sent.push({ person, file });
    return { where: "our direct messages" };
  },
};

beforeEach(async () => {
  database = await createTestDatabase();
  sent.length = 0;
  clock = new Date("2026-12-01T10:00:00Z");
  const directory = new FakeDirectory();
  directory.admins.add("UADMIN");
  const config = settingsOf(readConfig({ WORKING_HOURS: "Mon-Fri 08:00-18:00", REFLECTION_SCHEDULE: "P1D,P7D,P30D", PROMPT_MIN_GAP: "PT1H" }));
  prompts = new FakeScheduler();
  deliveries = new FakeScheduler();
  const now = () => clock;
  debrief = createDebrief({ db: database.db, deliveries, prompts, directories: { slack: directory }, files: { slack: files }, config, log: silentLog, now });
  prompting = { db: database.db, deliveries, prompts, config, log: silentLog, now };
  await say(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
  await say("UADMIN", "debrief", "lead <@ULEAD>");
  await say("ULEAD", "debrief", "manager <@USAM> <@UMGR>");
});

afterEach(async () => {
  await database.drop();
});

async function say(who: Interaction | string, name: string, text: string): Promise<string> {
  return textOf(replyOf(await debrief.command(typeof who === "string" ? interaction(who) : who, name, text)));
}

const dm = (who: string) => interaction(who, null);

/** Each prompt row, as the store holds it. */
const promptRows = () =>
  database.db
    .selectFrom("reflection_prompt")
    .innerJoin("person", "person.id", "reflection_prompt.person_id")
    .select(["reflection_prompt.id", "person.user_id", "step", "question_set", "status", "due_at", "next_at", "reminders"])
    .orderBy("person.user_id")
    .orderBy("step")
    .execute();

/** Runs every prompt job whose time has come, as the worker would. */
async function runDueJobs(): Promise<void> {
  for (const row of await promptRows()) if (row.next_at && row.next_at <= clock) await advancePrompt(prompting, String(row.id));
}

/** Direct messages recorded for a person, oldest first, with their views. */
async function messagesTo(userId: string): Promise<{ key: string; view: MessageView }[]> {
  const rows = await database.db
    .selectFrom("delivery")
    .select(["dedupe_key", "view"])
    .where("target_kind", "=", "person")
    .where("target_id", "=", userId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ key: r.dedupe_key, view: r.view as MessageView }));
}

const promptMessagesTo = async (userId: string) => (await messagesTo(userId)).filter((m) => m.key.startsWith("prompt-") && !m.key.includes("-answered-"));

function answersFor(form: FormView, answers: Record<string, string>): FormValues {
  return { ...Object.fromEntries(form.inputs.map((i) => [i.id, i.initial ?? null])), ...answers } as FormValues;
}

async function logWithSamAndJo(): Promise<void> {
  expect(await say("UALICE", "incident", "medication low Wrong dose given at teatime <@USAM> <@UJO>")).toContain("INC-1");
}

describe("an incident with two people involved", () => {
  it("plans a prompt for the reporter and each person involved at each offset, in working hours, with the set for each step", async () => {
    await logWithSamAndJo();
    const rows = await promptRows();
    expect(rows.map((r) => `${r.user_id} ${r.step} ${r.question_set} ${r.due_at.toISOString()}`)).toEqual([
      "UALICE 0 gibbs 2026-12-02T10:00:00.000Z",
      "UALICE 1 driscoll 2026-12-08T10:00:00.000Z",
      "UALICE 2 impact 2026-12-31T10:00:00.000Z",
      "UJO 0 gibbs 2026-12-02T10:00:00.000Z",
      "UJO 1 driscoll 2026-12-08T10:00:00.000Z",
      "UJO 2 impact 2026-12-31T10:00:00.000Z",
      "USAM 0 gibbs 2026-12-02T10:00:00.000Z",
      "USAM 1 driscoll 2026-12-08T10:00:00.000Z",
      "USAM 2 impact 2026-12-31T10:00:00.000Z",
    ]);
    expect(prompts.scheduled).toHaveLength(9);
  });

  it("sends each of them, the next day, a direct message naming the incident, why we ask, that the answers are theirs, and three buttons", async () => {
    await logWithSamAndJo();
    await runDueJobs();
    expect(await promptMessagesTo("USAM")).toHaveLength(0);
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const [toSam] = await promptMessagesTo("USAM");
    expect(textOf(toSam!.view)).toContain("Time to reflect on INC-1");
    expect(textOf(toSam!.view)).toContain("Wrong dose given at teatime");
    expect(textOf(toSam!.view)).toMatch(/Why we ask/);
    expect(textOf(toSam!.view)).toMatch(/yours alone: your manager, the lead and admins cannot read them/);
    expect(toSam!.view.buttons?.map((b) => b.label)).toEqual(["Reflect now", "Remind me later", "I wasn't involved"]);
    expect(await promptMessagesTo("UJO")).toHaveLength(1);
    // The reporter reported it: they are asked to reflect, but cannot say they were not involved.
    const [toAlice] = await promptMessagesTo("UALICE");
    expect(toAlice!.view.buttons?.map((b) => b.label)).toEqual(["Reflect now", "Remind me later"]);
    // Run again (a retried job, or reconcile): nothing more is sent.
    await runDueJobs();
    expect(await promptMessagesTo("USAM")).toHaveLength(1);
  });
});

describe("answering", () => {
  async function samsPrompt(): Promise<string> {
    await logWithSamAndJo();
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const [message] = await promptMessagesTo("USAM");
    return message!.view.buttons!.find((b) => b.label === "Reflect now")!.value;
  }

  it("opens the set's questions, stores the answers, thanks them, changes the prompt message, and refuses a second submit", async () => {
    const promptId = await samsPrompt();
    const form = formOf(await debrief.press(dm("USAM"), "reflection.reflect", promptId));
    expect(form.inputs.slice(0, 6).map((i) => i.label)).toEqual([
      "What happened?",
      "What were you thinking and feeling?",
      "What went well, and what did not?",
      expect.stringContaining("What sense can you make of it"),
      "What else could have been done, and what did you learn?",
      "If it happened again, what would you do?",
    ]);
    expect(form.inputs.filter((i) => i.kind === "text").every((i) => i.kind === "text" && i.maxLength === 3000)).toBe(true);

    const long = "x".repeat(2990) + " done.";
    const thanks = doneOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, { q0: long, q1: SAM_SECRET }), form.state));
    expect(textOf(thanks)).toContain("Thank you: your reflection on INC-1 is saved, for you alone.");
    const stored = await database.db.selectFrom("reflection").selectAll().executeTakeFirstOrThrow();
    expect(stored.answers).toEqual([
      { question: "What happened?", answer: long },
      { question: "What were you thinking and feeling?", answer: SAM_SECRET },
    ]);
    expect(stored.cpd).toBe(true);
    // The prompt message (not sent yet here: nothing sends in this test) now says it is answered, with no buttons left.
    const [message] = await promptMessagesTo("USAM");
    expect(textOf(message!.view)).toContain("answered, thank you");
    expect(message!.view.buttons ?? []).toEqual([]);

    const again = errorsOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, { q0: "something else" }), form.state));
    expect(Object.values(again).join(" ")).toContain("already answered");
    expect(await database.db.selectFrom("reflection").select("answers").execute()).toHaveLength(1);

    // Nor can the answered prompt be turned into "I wasn't involved" by a press replayed after its button went.
    const declined = textOf(replyOf(await debrief.press(dm("USAM"), "reflection.not_involved", promptId)));
    expect(declined).toContain("You have already answered this reflection on INC-1, so you stay listed as involved and nothing was changed.");
    const involved = await database.db.selectFrom("incident_person").innerJoin("person", "person.id", "incident_person.person_id").select("user_id").execute();
    expect(involved.map((r) => r.user_id)).toContain("USAM");
    expect((await messagesTo("UALICE")).map((m) => textOf(m.view)).join(" ")).not.toContain("says they were not involved");
    expect(await database.db.selectFrom("audit_log").select("action").where("action", "=", "incident.involved_changed").execute()).toEqual([]);
  });

  it("keeps what they wrote when nothing was answered, or an answer is too long", async () => {
    const promptId = await samsPrompt();
    const form = formOf(await debrief.press(dm("USAM"), "reflection.reflect", promptId));
    expect(Object.values(errorsOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, {}), form.state))).join(" ")).toContain("at least one question");
    const tooLong = errorsOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, { q2: "y".repeat(3001) }), form.state));
    expect(tooLong.q2).toContain("3001 characters; the most is 3000");
    expect(await database.db.selectFrom("reflection").select("prompt_id").execute()).toHaveLength(0);
  });

  it("posts a shared lesson in the team channel under the reference, anonymous unless they choose to be named", async () => {
    const promptId = await samsPrompt();
    const form = formOf(await debrief.press(dm("USAM"), "reflection.reflect", promptId));
    const thanks = doneOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, { q0: SAM_SECRET, lesson: SAM_LESSON }), form.state));
    expect(textOf(thanks)).toContain("Your lesson is shared in #oak-house under INC-1, without your name.");
    const posts = await database.db.selectFrom("delivery").select("view").where("target_kind", "=", "channel").where("dedupe_key", "like", "reflection-%").execute();
    expect(posts).toHaveLength(1);
    const post = textOf(posts[0]!.view as MessageView);
    expect(post).toContain("A lesson shared from INC-1");
    expect(post).toContain(SAM_LESSON);
    expect(post).toContain("Shared anonymously");
    expect(post).not.toContain("USAM");
    expect(post).not.toContain(SAM_SECRET);
  });
});

describe("a restricted incident's shared lesson", () => {
  it("goes to the lead, who alone can post it, with the reference and the lesson only", async () => {
    expect(await say("UALICE", "incident", "safeguarding Disclosure during key work <@USAM>")).toContain("INC-1");
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const promptId = (await promptMessagesTo("USAM"))[0]!.view.buttons![0]!.value;
    const form = formOf(await debrief.press(dm("USAM"), "reflection.reflect", promptId));
    const thanks = doneOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, { q0: SAM_SECRET, lesson: SAM_LESSON, named: "named" }), form.state));
    expect(textOf(thanks)).toContain("went to the team's lead, with your name, who may post it in #oak-house without the incident's details or your name.");
    const channelPosts = () => database.db.selectFrom("delivery").select("view").where("target_kind", "=", "channel").where("dedupe_key", "like", "reflection-%").execute();
    expect(await channelPosts()).toHaveLength(0);
    const [toLead] = (await messagesTo("ULEAD")).filter((m) => m.key.startsWith("reflection-"));
    expect(textOf(toLead!.view)).toContain(SAM_LESSON);
    const post = toLead!.view.buttons![0]!;

    expect(textOf(replyOf(await debrief.press(dm("UMGR"), post.id, post.value)))).toContain("Only the team's lead");
    expect(await channelPosts()).toHaveLength(0);
    expect(textOf(replyOf(await debrief.press(dm("ULEAD"), post.id, post.value)))).toContain("Posted in #oak-house");
    const posted = textOf((await channelPosts())[0]!.view as MessageView);
    expect(posted).toContain(SAM_LESSON);
    expect(posted).not.toContain("Disclosure during key work");
    expect(posted).not.toContain(SAM_SECRET);
    // Sam chose to be named, but a name beside a restricted reference says who was involved in it.
    expect(posted).not.toContain("USAM");
    expect(posted).toContain("Shared anonymously");
  });
});

describe("private means private", () => {
  it("no manager, lead or admin can open, list, export or find anyone's answers, and the audit log only says one was answered", async () => {
    await logWithSamAndJo();
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const promptId = (await promptMessagesTo("USAM"))[0]!.view.buttons![0]!.value;
    const form = formOf(await debrief.press(dm("USAM"), "reflection.reflect", promptId));
    doneOf(await debrief.submitForm(dm("USAM"), form.id, answersFor(form, { q0: SAM_SECRET }), form.state));

    for (const other of ["UMGR", "ULEAD", "UADMIN", "UALICE"]) {
      const opened = await debrief.press(dm(other), "reflection.reflect", promptId);
      expect(opened.kind).toBe("reply");
      expect(textOf(replyOf(opened))).toContain("not one of yours");
      expect(textOf(replyOf(opened))).not.toContain("INC-1");
      expect(await say(dm(other), "reflect", "")).not.toContain(SAM_SECRET);
      await say(dm(other), "reflect", "export");
      for (const cmd of [["incident", "show INC-1"], ["incident", "list"], ["action", "list <@USAM>"], ["debrief", "settings"]] as const) {
        expect(await say(dm(other), cmd[0], cmd[1])).not.toContain(SAM_SECRET);
      }
    }
    expect(sent.map((s) => s.file.content).join("\n")).not.toContain(SAM_SECRET);
    // Someone else's answer submitted against sam's prompt is refused, and changes nothing.
    await expect(debrief.submitForm(dm("ULEAD"), form.id, answersFor(form, { q0: "overwritten" }), form.state)).resolves.toMatchObject({ kind: expect.any(String) });
    expect((await database.db.selectFrom("reflection").select("answers").executeTakeFirstOrThrow()).answers[0]!.answer).toBe(SAM_SECRET);

    const audit = await database.db.selectFrom("audit_log").select(["action", "before", "after"]).execute();
    expect(audit.some((a) => a.action === "reflection.answered")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(SAM_SECRET);
    expect(JSON.stringify(await database.db.selectFrom("delivery").select("view").execute())).not.toContain(SAM_SECRET);
    expect(JSON.stringify(await database.db.selectFrom("request").select("outcome").execute())).not.toContain(SAM_SECRET);

    // Sam alone gets them, in a Markdown file grouped by incident.
    expect(await say(dm("USAM"), "reflect", "export")).toContain("1 reflection on 1 incident");
    const mine = sent.at(-1)!;
    expect(mine.person.userId).toBe("USAM");
    expect(mine.file.filename).toBe("debrief-reflections-2026-12-02.md");
    expect(mine.file.content).toContain("## INC-1, Medication: Wrong dose given at teatime");
    expect(mine.file.content).toContain("**What happened?**\n\n" + SAM_SECRET);
  });
});

describe("remind me later", () => {
  it("asks when, and brings the prompt back then, as a prompt rather than a reminder", async () => {
    await logWithSamAndJo();
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const later = (await promptMessagesTo("USAM"))[0]!.view.buttons!.find((b) => b.label === "Remind me later")!;
    const choices = replyOf(await debrief.press(dm("USAM"), later.id, later.value));
    expect(choices.buttons?.map((b) => b.label)).toEqual(["In an hour", "Tomorrow morning", "Next week"]);
    const tomorrow = choices.buttons![1]!;
    expect(textOf(replyOf(await debrief.press(dm("USAM"), tomorrow.id, tomorrow.value)))).toContain("I will ask again about INC-1 on Thu 3 Dec, 08:00");
    clock = new Date("2026-12-03T07:59:00Z");
    await runDueJobs();
    expect(await promptMessagesTo("USAM")).toHaveLength(1);
    clock = new Date("2026-12-03T08:00:00Z");
    await runDueJobs();
    const again = await promptMessagesTo("USAM");
    expect(again).toHaveLength(2);
    expect(textOf(again[1]!.view)).toContain("Time to reflect on INC-1");
  });
});

describe("unanswered", () => {
  it("is reminded after REFLECTION_REMINDER twice, then expires, and is never sent again", async () => {
    await logWithSamAndJo();
    for (const day of ["2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-07", "2026-12-08T09:00:00Z"]) {
      clock = new Date(day.includes("T") ? day : `${day}T10:00:00Z`);
      await runDueJobs();
    }
    const toJo = await promptMessagesTo("UJO");
    expect(toJo.map((m) => textOf(m.view).split("\n")[0])).toEqual([
      "Time to reflect on INC-1",
      "A reminder: your reflection on INC-1 is waiting",
      "A reminder: your reflection on INC-1 is waiting",
    ]);
    expect((await promptRows()).find((r) => r.user_id === "UJO" && r.step === 0)?.status).toBe("expired");
  });
});

describe("several due together", () => {
  it("become one message with a button each, and nobody gets two within PROMPT_MIN_GAP", async () => {
    await logWithSamAndJo();
    clock = new Date("2026-12-01T10:20:00Z");
    expect(await say("UALICE", "incident", "fall none Resident slipped in the lounge <@USAM>")).toContain("INC-2");
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const [both] = await promptMessagesTo("USAM");
    expect(both!.view.title).toBe("2 reflections are waiting for you");
    expect(both!.view.buttons?.map((b) => b.label)).toEqual(["Reflect on INC-1", "Not involved in INC-1", "Reflect on INC-2", "Not involved in INC-2", "Remind me later"]);
    clock = new Date("2026-12-02T10:30:00Z");
    await runDueJobs();
    expect(await promptMessagesTo("USAM")).toHaveLength(1);

    // A third incident logged a minute later: its prompt waits until the gap since the last message has passed.
    clock = new Date("2026-12-01T10:21:00Z");
    expect(await say("UALICE", "incident", "other none Door left unlocked <@USAM>")).toContain("INC-3");
    clock = new Date("2026-12-02T10:30:00Z");
    await runDueJobs();
    expect(await promptMessagesTo("USAM")).toHaveLength(1);
    clock = new Date("2026-12-02T11:00:00Z");
    await runDueJobs();
    const messages = await promptMessagesTo("USAM");
    expect(messages).toHaveLength(2);
    expect(textOf(messages[1]!.view)).toContain("Time to reflect on INC-3");
  });
});

describe("two prompts of one incident in one message", () => {
  it("tell their buttons apart by step, and Remind me later is refused once they are closed", async () => {
    await logWithSamAndJo();
    // Both of jo's first two prompts fall due together (time moved on past both): one message, two labelled buttons.
    clock = new Date("2026-12-08T10:00:00Z");
    await runDueJobs();
    const [both] = await promptMessagesTo("UJO");
    expect(both!.view.buttons?.map((b) => b.label)).toEqual(["Reflect on INC-1 (1 of 3)", "Not involved in INC-1 (1 of 3)", "Reflect on INC-1 (2 of 3)", "Not involved in INC-1 (2 of 3)", "Remind me later"]);
    const notInvolved = both!.view.buttons![1]!;
    await debrief.press(dm("UJO"), notInvolved.id, notInvolved.value);
    const later = both!.view.buttons!.at(-1)!;
    expect(textOf(replyOf(await debrief.press(dm("UJO"), later.id, later.value)))).toContain("answered or closed already");
  });
});

describe("I wasn't involved", () => {
  it("ends their prompts, takes them out of the circle, tells the reporter, and is audited", async () => {
    await logWithSamAndJo();
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const button = (await promptMessagesTo("UJO"))[0]!.view.buttons!.find((b) => b.label === "I wasn't involved")!;
    expect(textOf(replyOf(await debrief.press(dm("UJO"), button.id, button.value)))).toContain("no longer listed as involved");
    expect((await promptRows()).filter((r) => r.user_id === "UJO").map((r) => r.status)).toEqual(["withdrawn", "withdrawn", "withdrawn"]);
    const involved = await database.db.selectFrom("incident_person").innerJoin("person", "person.id", "incident_person.person_id").select("user_id").execute();
    expect(involved.map((r) => r.user_id)).toEqual(["USAM"]);
    expect(textOf((await messagesTo("UALICE")).at(-1)!.view)).toContain("says they were not involved in INC-1");
    const audit = await database.db.selectFrom("audit_log").select(["action", "actor_id"]).where("action", "=", "incident.involved_changed").execute();
    expect(audit).toEqual([{ action: "incident.involved_changed", actor_id: `slack:${WORKSPACE}:UJO` }]);
    // Jo now sees INC-1 as an outsider would.
    expect(await say(dm("UJO"), "incident", "show INC-1")).toContain("Only the reporter, the staff involved, their managers and the lead see the full record.");
  });
});

describe("/reflect", () => {
  it("lists my prompts waiting with a button each, and when the next come", async () => {
    await logWithSamAndJo();
    expect(await say(dm("USAM"), "reflect", "")).toContain("Coming up: INC-1 on Wed 2 Dec, 10:00");
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const list = replyOf(await debrief.command(dm("USAM"), "reflect", ""));
    expect(list.title).toBe("1 reflection is waiting for you");
    expect(list.buttons?.map((b) => b.label)).toEqual(["Reflect on INC-1"]);
  });
});

describe("/reflect team", () => {
  it("shows a manager which of their own reports have reflections waiting, counts only, and nobody else", async () => {
    await logWithSamAndJo();
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const toManager = await say(dm("UMGR"), "reflect", "team");
    expect(toManager).toContain("USAM: 1 reflection waiting");
    expect(toManager).not.toContain("UJO");
    // The lead is not sam's line manager: no names, and the team is too small for figures.
    const toLead = await say(interaction("ULEAD"), "reflect", "team");
    expect(toLead).not.toContain("USAM");
    expect(toLead).toContain("team figures are shown only for teams of 5 or more");
  });

  it("gives the lead the team's answer rate once the team has 5 members", async () => {
    for (const who of ["UA", "UB", "UC", "UD", "UE"]) await say(who, "incident", `other none Checked the fire doors ${who}`);
    clock = new Date("2026-12-02T10:00:00Z");
    await runDueJobs();
    const promptId = (await promptMessagesTo("UA"))[0]!.view.buttons![0]!.value;
    const form = formOf(await debrief.press(dm("UA"), "reflection.reflect", promptId));
    doneOf(await debrief.submitForm(dm("UA"), form.id, answersFor(form, { q0: "All fine" }), form.state));
    expect(await say(interaction("ULEAD"), "reflect", "team")).toContain("1 of 5 reflection prompts answered");
    expect(await say(interaction("UB"), "reflect", "team")).not.toContain("reflection prompts answered");
  });
});
