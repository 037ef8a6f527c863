import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { QUESTION_SETS } from "../../src/domain/question-sets.ts";
import { startDebrief } from "../../src/main.ts";
import type { Running } from "../../src/runtime.ts";
import { startFakeSlack, type FakeSlack, type SlackCall } from "../support/fake-slack.ts";
import { silentLog } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import {
  blockActions,
  send,
  SIGNING_SECRET,
  slashCommand,
  viewSubmission,
  type Answer,
  type SlackRequest,
  type SlashCommandOptions,
} from "../support/slack-requests.ts";
import { waitFor } from "../support/wait.ts";
import { waitUntilSettled } from "../support/settled.ts";

/**
 * Reflection prompts (issue 8) end to end as Slack drives them: the real process (`startDebrief()` from src/main.ts)
 * with Postgres, Redis, the prompt and delivery workers and the Bolt app over HTTP, a fake Slack Web API, and requests
 * signed as Slack signs them. Prompts go out 2 s and 6 s after an incident, are reminded every 3 s (twice, then they
 * expire), and lost jobs are reconciled every second. Each test has a workspace and people of its own: references start
 * at INC-1 in each, and one test's later prompts never land in another's direct messages.
 */

const GIBBS = QUESTION_SETS.gibbs.questions;

let fake: FakeSlack;
let database: TestDatabase;
let prefix: string;
let running: Running;
let endpoint: string;

beforeAll(async () => {
  fake = await startFakeSlack({ displayNames: { U0SAM: "Sam", U0JO: "Jo" } });
  database = await createTestDatabase();
  prefix = uniquePrefix();
  const config = readConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: "0",
    REFLECTION_SCHEDULE: "PT2S,PT6S",
    REFLECTION_REMINDER: "PT3S",
    PROMPT_MIN_GAP: "PT1S",
    WORKING_HOURS: "always",
    SWEEP_EVERY: "PT1S",
  });
  running = await startDebrief(config, { role: "all", log: silentLog });
  endpoint = `http://127.0.0.1:${running.port}/slack/events`;
});

afterAll(async () => {
  await running?.stop();
  await database?.drop();
  if (prefix) await clearPrefix(prefix);
  await fake?.close();
});

// ── Slack as a user drives it ────────────────────────────────────────────────

let seq = 0;

/** Types a slash command; `reply()` waits for what Debrief answers through the response_url. Response ids start with the user's id. */
async function type(command: string, text: string, options: SlashCommandOptions & { userId: string }) {
  const id = `${options.userId}-reply-${++seq}`;
  const request = slashCommand({ command, text, responseUrl: fake.responseUrl(id), ...options });
  const ack = await send(endpoint, request);
  expect(ack.status).toBe(200);
  return { id, ack, reply: async (timeoutMs = 5000) => (await fake.waitForResponses(id, 1, timeoutMs))[0]!.body };
}

/** A command typed in the person's direct message with the app, as Slack sends it. */
const inDm = (teamId: string, userId: string) => ({ teamId, userId, channelId: dmOf(userId), channelName: "directmessage" });

/** The app's DM with a user, as the fake names it (conversations.open, and the channel chat.postMessage answers with). */
const dmOf = (userId: string) => `D${userId.slice(1)}`;

/** Makes a channel a team space, optionally with a lead. */
async function teamSpace(teamId: string, channelId: string, leadId?: string): Promise<void> {
  const where = { teamId, channelId, channelName: `team-${channelId.toLowerCase()}`, userId: "U0SETUP" };
  expect(everyText(await (await type("/debrief", "setup", where)).reply())).toContain("team space");
  if (leadId) expect(everyText(await (await type("/debrief", `lead <@${leadId}>`, where)).reply())).toContain("is now the lead");
}

interface Pressed {
  request: SlackRequest;
  responseId: string;
  /** The first reply Debrief posted to this press's response_url. */
  reply: (timeoutMs?: number) => Promise<Record<string, any>>;
  /** The modal this press opened, as views.open received it. */
  modal: (timeoutMs?: number) => Promise<Record<string, any>>;
}

/**
 * Presses a button in a message of the app's DM with `userId`, as Slack sends it: block_actions with the message as the
 * container, the DM as the channel, and the action as the button was rendered.
 */
async function press(options: { teamId: string; userId: string; actionId: string; value: string; messageTs?: string }): Promise<Pressed> {
  const responseId = `${options.userId}-press-${++seq}`;
  const channelId = dmOf(options.userId);
  const base = blockActions({
    teamId: options.teamId,
    userId: options.userId,
    channelId,
    channelName: "directmessage",
    actionId: options.actionId,
    value: options.value,
    responseUrl: fake.responseUrl(responseId),
  });
  const payload: Record<string, any> = {
    ...base.payload,
    container: { type: "message", message_ts: options.messageTs ?? `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`, channel_id: channelId, is_ephemeral: false },
  };
  const request: SlackRequest = { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: base.contentType, payload };
  const ack = await send(endpoint, request);
  expect(ack.status).toBe(200);
  expect(ack.ms).toBeLessThan(3000);
  return {
    request,
    responseId,
    reply: async (timeoutMs = 5000) => (await fake.waitForResponses(responseId, 1, timeoutMs))[0]!.body,
    modal: async (timeoutMs = 5000) =>
      (await fake.waitFor(() => fake.callsTo("views.open").find((c) => c.body.trigger_id === payload.trigger_id), timeoutMs)).body.view as Record<string, any>,
  };
}

const everyText = (value: unknown): string => JSON.stringify(value);
const dms = (userId: string): SlackCall[] => fake.callsTo("chat.postMessage").filter((c) => c.body.channel === userId);
const buttonsOf = (body: Record<string, any>): { action_id: string; value: string; text: { text: string } }[] =>
  ((body.blocks ?? []) as any[]).filter((b) => b.type === "actions").flatMap((b) => b.elements);
/** Whether a message offers "Reflect now" (or "Reflect on INC-n") for this prompt. */
const carries = (call: SlackCall, promptId: string) => buttonsOf(call.body).some((b) => /^reflection\.reflect(#\d+)?$/.test(b.action_id) && b.value === promptId);
const reflectButton = (call: SlackCall, promptId: string) => buttonsOf(call.body).find((b) => /^reflection\.reflect(#\d+)?$/.test(b.action_id) && b.value === promptId)!;

// ── what Debrief stored ─────────────────────────────────────────────────────

const personId = (teamId: string, userId: string) => `slack:${teamId}:${userId}`;

const promptsOf = (teamId: string, userId: string) =>
  database.db.selectFrom("reflection_prompt").selectAll().where("person_id", "=", personId(teamId, userId)).orderBy("incident_id").orderBy("step").execute();

/** A person's prompt for an incident's step, once planned. */
async function promptFor(teamId: string, userId: string, step = 0, incidentNumber = 1) {
  return waitFor(async () =>
    database.db
      .selectFrom("reflection_prompt")
      .innerJoin("incident", "incident.id", "reflection_prompt.incident_id")
      .selectAll("reflection_prompt")
      .where("reflection_prompt.person_id", "=", personId(teamId, userId))
      .where("incident.number", "=", incidentNumber)
      .where("reflection_prompt.step", "=", step)
      .executeTakeFirst(),
  );
}

const promptRow = (id: string) => database.db.selectFrom("reflection_prompt").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const reflectionRows = (promptId: string) => database.db.selectFrom("reflection").selectAll().where("prompt_id", "=", promptId).execute();

/** The message that carries a prompt (its latest), once sent: where it landed and its ts, as the delivery worker recorded. */
async function sentMessageOf(promptId: string) {
  return waitFor(async () => {
    const prompt = await promptRow(promptId);
    if (!prompt.message_key) return undefined;
    const row = await database.db.selectFrom("delivery").selectAll().where("dedupe_key", "=", prompt.message_key).executeTakeFirst();
    return row?.status === "sent" && row.message_id && row.message_channel_id ? { channel: row.message_channel_id, ts: row.message_id } : undefined;
  });
}

/** Waits for the DM that carries a prompt and gives it with the message's ts. */
async function promptDm(userId: string, promptId: string, timeoutMs = 10_000) {
  const call = await fake.waitFor(() => dms(userId).find((c) => carries(c, promptId)), timeoutMs);
  const where = await sentMessageOf(promptId);
  return { call, ...where };
}

/** Opens a prompt's form from its DM with Reflect now, as rendered, and gives the modal. */
async function openForm(teamId: string, userId: string, promptId: string): Promise<Record<string, any>> {
  const { call, ts } = await promptDm(userId, promptId);
  const button = reflectButton(call, promptId);
  return (await press({ teamId, userId, actionId: button.action_id, value: button.value, messageTs: ts })).modal();
}

/** Answers for the Gibbs questions by the modal's block ids, q0…q5. */
const gibbsAnswers = (tag: string): Record<string, Answer> => Object.fromEntries(GIBBS.map((_, i) => [`q${i}`, `${tag}: answer ${i + 1} to the Gibbs question`]));

// ── the tests ────────────────────────────────────────────────────────────────

describe("reflection prompts over Slack", () => {
  it("gives the reporter and each person mentioned in a quick log one DM prompt with its buttons", { timeout: 20_000 }, async () => {
    const teamId = "T1PROMPT";
    await teamSpace(teamId, "C1PROMPT");
    const logged = await type("/incident", "medication low Wrong dose <@U0SAM> <@U0JO>", { teamId, channelId: "C1PROMPT", userId: "U0REPORTER" });
    expect((await logged.reply()).text).toMatch(/^Logged INC-1: Wrong dose/);

    const people = ["U0REPORTER", "U0SAM", "U0JO"];
    const firsts = await Promise.all(people.map(async (userId) => ({ userId, prompt: await promptFor(teamId, userId, 0) })));
    for (const { userId, prompt } of firsts) {
      const { call, channel } = await promptDm(userId, String(prompt.id));
      expect(channel).toBe(dmOf(userId));
      expect(call.body.text).toBe("Time to reflect on INC-1");
      expect(everyText(call.body.blocks)).toContain("Wrong dose");
      expect(everyText(call.body.blocks)).not.toMatch(/<@U0(SAM|JO)>/);
      const buttons = buttonsOf(call.body).map((b) => ({ id: b.action_id, label: b.text.text, value: b.value }));
      const expected = [
        { id: "reflection.reflect", label: "Reflect now", value: String(prompt.id) },
        { id: "reflection.later", label: "Remind me later", value: String(prompt.id) },
        ...(userId === "U0REPORTER" ? [] : [{ id: "reflection.not_involved", label: "I wasn't involved", value: String(prompt.id) }]),
      ];
      expect(buttons).toEqual(expected);
    }
    // Nobody else was asked about INC-1 in this workspace: two steps for each of the three.
    const rows = await database.db.selectFrom("reflection_prompt").select("person_id").where("workspace_id", "=", `slack:${teamId}`).execute();
    expect(rows.map((r) => r.person_id).sort()).toEqual(people.flatMap((u) => [personId(teamId, u), personId(teamId, u)]).sort());

    // Once: by the time the first reminder of each has gone, each first prompt was posted exactly once.
    for (const { userId, prompt } of firsts) {
      await waitFor(async () => (await promptRow(String(prompt.id))).reminders >= 1, { timeoutMs: 10_000 });
      const initial = dms(userId).filter((c) => carries(c, String(prompt.id)) && c.body.text === "Time to reflect on INC-1");
      expect(initial).toHaveLength(1);
    }
  });

  it("opens the Gibbs form from Reflect now, stores the answers once, and turns the DM into 'answered, thank you'", { timeout: 20_000 }, async () => {
    const teamId = "T2ANSWER";
    const sam = "U2SAM";
    await teamSpace(teamId, "C2ANSWER");
    await (await type("/incident", `medication low Wrong dose <@${sam}>`, { teamId, channelId: "C2ANSWER", userId: "U2REP" })).reply();
    const prompt = await promptFor(teamId, sam, 0);
    const promptId = String(prompt.id);
    const { call, ts, channel } = await promptDm(sam, promptId);
    const button = reflectButton(call, promptId);
    expect(button.text.text).toBe("Reflect now");

    // Reflect now, pressed twice (two devices, say): two modals for the same prompt.
    const first = await (await press({ teamId, userId: sam, actionId: button.action_id, value: button.value, messageTs: ts })).modal();
    const second = await (await press({ teamId, userId: sam, actionId: button.action_id, value: button.value, messageTs: ts })).modal();
    expect(first).toMatchObject({ type: "modal", callback_id: "reflection.answer", private_metadata: promptId });
    const inputs = (first.blocks as any[]).filter((b) => b.type === "input");
    expect(inputs.slice(0, GIBBS.length).map((b) => [b.block_id, b.label.text])).toEqual(GIBBS.map((q, i) => [`q${i}`, q]));
    expect(inputs.map((b) => b.block_id)).toEqual([...GIBBS.map((_, i) => `q${i}`), "lesson", "named", "cpd"]);
    expect(inputs[0].element).toMatchObject({ type: "plain_text_input", multiline: true, max_length: 3000 });

    const answers = gibbsAnswers("Sam on INC-1");
    const saved = await send(endpoint, viewSubmission({ teamId, userId: sam, view: first, answers }));
    expect(saved.ms).toBeLessThan(3000);
    expect(saved.json).toMatchObject({ response_action: "update", view: { type: "modal" } });
    expect(everyText(saved.json)).toContain("your reflection on INC-1 is saved");

    const stored = await reflectionRows(promptId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.author_id).toBe(personId(teamId, sam));
    expect(stored[0]!.answers).toEqual(GIBBS.map((question, i) => ({ question, answer: answers[`q${i}`] })));
    expect((await promptRow(promptId)).status).toBe("answered");

    // The prompt's DM now says it is answered, and offers nothing to press.
    const edit = await fake.waitFor(() => fake.callsTo("chat.update").find((c) => c.body.channel === channel && c.body.ts === ts));
    expect(edit.body.text).toBe("INC-1: answered, thank you");
    expect(everyText(edit.body.blocks)).toContain("Answered, thank you");
    expect(buttonsOf(edit.body)).toEqual([]);

    // The other modal, submitted now with other answers, is refused politely beside its first question; nothing changes.
    const again = await send(endpoint, viewSubmission({ teamId, userId: sam, view: second, answers: gibbsAnswers("Sam changed his mind") }));
    expect(again.json).toMatchObject({ response_action: "errors", errors: { q0: expect.stringContaining("already answered") } });
    expect(again.json!.errors.q0).toContain("nothing was changed");
    // The same modal sent again (one view id) is the same request: answered as the first time, nothing stored twice.
    const resent = await send(endpoint, viewSubmission({ teamId, userId: sam, view: first, answers: gibbsAnswers("Sam once more") }));
    expect(resent.json).toMatchObject({ response_action: "update" });
    expect(await reflectionRows(promptId)).toEqual(stored);

    // Reflect now pressed again on the old message: told it is answered, and no form.
    const late = await press({ teamId, userId: sam, actionId: button.action_id, value: button.value, messageTs: ts });
    expect(everyText(await late.reply())).toContain("already answered");
    expect(fake.callsTo("views.open").some((c) => c.body.trigger_id === late.request.payload.trigger_id)).toBe(false);

    // The prompt is answered (final: never sent or reminded again), no command is left to run, and every delivery row
    // of the workspace, the edit among them, is sent or failed: no second edit of the message can still come.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix, promptIds: [promptId] });
    expect(fake.callsTo("chat.update").filter((c) => c.body.channel === channel && c.body.ts === ts)).toHaveLength(1);
    expect(await reflectionRows(promptId)).toEqual(stored);
  });

  it("puts a prompt off with Remind me later and brings it back as a new DM when its time comes", { timeout: 20_000 }, async () => {
    const teamId = "T3LATER";
    const sam = "U3SAM";
    await teamSpace(teamId, "C3LATER");
    await (await type("/incident", `medication low Wrong dose <@${sam}>`, { teamId, channelId: "C3LATER", userId: "U3REP" })).reply();
    const promptId = String((await promptFor(teamId, sam, 0)).id);
    const { call, ts } = await promptDm(sam, promptId);
    const later = buttonsOf(call.body).find((b) => b.text.text === "Remind me later")!;

    // The message is replaced with three choices.
    const asked = await press({ teamId, userId: sam, actionId: later.action_id, value: later.value, messageTs: ts });
    const choices = await asked.reply();
    expect(choices.replace_original).toBe(true);
    const offered = buttonsOf(choices);
    expect(offered.map((b) => b.text.text)).toEqual(["In an hour", "Tomorrow morning", "Next week"]);
    expect(offered.map((b) => b.value)).toEqual(["hour", "morning", "week"].map((s) => `${s}:${promptId}`));

    const hour = offered[0]!;
    const snoozedAt = Date.now();
    const chosen = await press({ teamId, userId: sam, actionId: hour.action_id, value: hour.value, messageTs: ts });
    const told = await chosen.reply();
    expect(told.replace_original).toBe(true);
    expect(told.text).toMatch(/^I will ask again about INC-1 on /);

    const put = await promptRow(promptId);
    expect(put.snoozed).toBe(true);
    expect(put.status).toBe("sent");
    expect(put.next_at!.getTime()).toBeGreaterThanOrEqual(snoozedAt + 60 * 60_000 - 5_000);
    expect(put.next_at!.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 5_000);
    // Redis holds the prompt's job for that time, delayed.
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue("prompt", { connection, prefix });
    try {
      const job = await waitFor(() => queue.getJob(`prompt-${promptId}-${put.next_at!.getTime()}`));
      expect(await job.getState()).toBe("delayed");
    } finally {
      await queue.close();
      connection.disconnect();
    }

    // The hour passes (in Postgres: the truth). Its job is still an hour away, so only the reconcile, every SWEEP_EVERY,
    // can find it due; it comes back as a new prompt DM.
    const before = dms(sam).length;
    await database.db.updateTable("reflection_prompt").set({ next_at: sql<Date>`now()` }).where("id", "=", promptId).execute();
    const back = await fake.waitFor(() => dms(sam).slice(before).find((c) => carries(c, promptId)), 10_000);
    expect(everyText(back.body.blocks)).toContain("INC-1");
    // Brought by the reconcile, not by sam's next prompt's job (which would have carried it along): it came alone, before
    // that prompt was due.
    const next = await promptFor(teamId, sam, 1);
    expect(carries(back, String(next.id))).toBe(false);
    expect(back.at).toBeLessThan(next.due_at.getTime());
    const returned = await promptRow(promptId);
    expect(returned.status).toBe("sent");
    expect(returned.snoozed).toBe(false);
    expect(returned.reminders).toBe(0);
  });

  it("reminds an unanswered prompt twice, one DM each, then expires it and sends nothing more", { timeout: 40_000 }, async () => {
    const teamId = "T4QUIET";
    const sam = "U4SAM";
    await teamSpace(teamId, "C4QUIET");
    await (await type("/incident", `medication low Wrong dose <@${sam}>`, { teamId, channelId: "C4QUIET", userId: "U4REP" })).reply();
    await promptFor(teamId, sam, 1);

    // Both steps: sent at 2 s and 6 s, each reminded 3 s apart twice, the last expiring at about 15 s.
    await waitFor(async () => {
      const rows = await promptsOf(teamId, sam);
      return rows.length === 2 && rows.every((r) => r.status === "expired");
    }, { timeoutMs: 30_000, intervalMs: 100 });
    const rows = await promptsOf(teamId, sam);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "expired", reminders: 2, next_at: null });
      const carrying = dms(sam).filter((c) => carries(c, String(row.id)));
      // The prompt, then two reminders: three DMs, the later two saying they are reminders.
      expect(carrying).toHaveLength(3);
      for (const reminder of carrying.slice(1)) expect(everyText(reminder.body)).toMatch(/reminder/i);
    }
    // Each message was posted once: as many DMs to sam as messages recorded for sam, every one of them a prompt's.
    const messages = await database.db
      .selectFrom("delivery")
      .select(["dedupe_key", "status"])
      .where("workspace_id", "=", teamId)
      .where("target_kind", "=", "person")
      .where("target_id", "=", sam)
      .execute();
    expect(messages.every((m) => m.status === "sent" && m.dedupe_key.startsWith("prompt-"))).toBe(true);
    expect(dms(sam)).toHaveLength(messages.length);

    // Expired is final: neither the prompt worker nor the reconcile sends or reminds an expired prompt (it has no
    // next time). With both expired and every delivery row of the workspace sent or failed, no third reminder can come.
    const count = dms(sam).length;
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix, promptIds: rows.map((r) => String(r.id)) });
    expect(dms(sam)).toHaveLength(count);
    expect((await promptsOf(teamId, sam)).map((r) => r.status)).toEqual(["expired", "expired"]);
  });

  it("/reflect export uploads one Markdown file into the person's DM with their answers, grouped by incident", { timeout: 20_000 }, async () => {
    const teamId = "T5EXPORT";
    const sam = "U5SAM";
    const where = { teamId, channelId: "C5EXPORT", userId: "U5REP" };
    await teamSpace(teamId, "C5EXPORT");
    await (await type("/incident", `medication low Wrong dose <@${sam}>`, where)).reply();
    await (await type("/incident", `premises none Fire door wedged open <@${sam}>`, where)).reply();

    for (const n of [1, 2]) {
      const promptId = String((await promptFor(teamId, sam, 0, n)).id);
      const modal = await openForm(teamId, sam, promptId);
      const saved = await send(endpoint, viewSubmission({ teamId, userId: sam, view: modal, answers: gibbsAnswers(`Sam on INC-${n}`) }));
      expect(everyText(saved.json)).toContain(`your reflection on INC-${n} is saved`);
    }

    const before = fake.files().length;
    const reply = await (await type("/reflect", "export", inDm(teamId, sam))).reply();
    expect(reply.text).toMatch(/^Your 2 reflections on 2 incidents are in a Markdown file/);
    const files = await fake.waitFor(() => fake.files().length > before && fake.files().slice(before));
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file!.channelId).toBe(dmOf(sam));
    expect(file!.filename).toMatch(/\.md$/);
    const md = file!.content;
    const one = md.indexOf("## INC-1, Medication: Wrong dose");
    const two = md.indexOf("## INC-2, ");
    expect(one).toBeGreaterThan(-1);
    expect(two).toBeGreaterThan(one);
    for (let i = 0; i < GIBBS.length; i++) {
      const a1 = md.indexOf(`Sam on INC-1: answer ${i + 1} to`);
      const a2 = md.indexOf(`Sam on INC-2: answer ${i + 1} to`);
      expect(a1).toBeGreaterThan(one);
      expect(a1).toBeLessThan(two);
      expect(a2).toBeGreaterThan(two);
    }
    expect(md).toContain(`**${GIBBS[0]}**`);
    // The export uploads inside its command: with no command left to run (none retried), no second upload can come.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix });
    expect(fake.files().slice(before)).toHaveLength(1);
  });
});

describe("reflections are private over Slack", () => {
  it("lets no manager, lead or admin read sam's answers by any command or button", { timeout: 40_000 }, async () => {
    const teamId = "T6PRIVATE";
    const channelId = "C6PRIVATE";
    const sam = "U6SAM";
    const secrets = ["I froze when the MAR chart did not match", "I felt sick and did not tell the shift lead"];
    await teamSpace(teamId, channelId, "U6LEAD");
    const managed = await (await type("/debrief", `manager <@${sam}> <@U6MGR>`, { teamId, channelId, userId: "UADMIN" })).reply();
    expect(managed.text).toBe("Reporting line set");
    expect(everyText(managed.blocks)).toContain("now reports to");
    await (await type("/incident", `medication low Wrong dose <@${sam}>`, { teamId, channelId, userId: "U6REP" })).reply();

    const promptId = String((await promptFor(teamId, sam, 0)).id);
    const modal = await openForm(teamId, sam, promptId);
    const saved = await send(endpoint, viewSubmission({ teamId, userId: sam, view: modal, answers: { q0: secrets[0]!, q1: secrets[1]! } }));
    expect(everyText(saved.json)).toContain("your reflection on INC-1 is saved");
    const stored = await reflectionRows(promptId);
    expect(everyText(stored)).toContain(secrets[0]);
    const promptBefore = await promptRow(promptId);

    const leaks = (value: unknown) => secrets.some((s) => everyText(value).includes(s));
    for (const viewer of ["U6MGR", "U6LEAD", "UADMIN"]) {
      // Sam's prompt id in a forged press of every reflection button: refused without naming the incident, and no form.
      for (const [actionId, value] of [
        ["reflection.reflect", promptId],
        ["reflection.later", promptId],
        ["reflection.snooze", `hour:${promptId}`],
        ["reflection.not_involved", promptId],
        ["reflection.post_lesson", promptId],
      ] as const) {
        const forged = await press({ teamId, userId: viewer, actionId, value });
        const answer = await forged.reply();
        expect(leaks(answer), `${viewer} pressing ${actionId}`).toBe(false);
        expect(everyText(answer), `${viewer} pressing ${actionId}`).not.toMatch(/INC-1|Wrong dose/);
        expect(fake.callsTo("views.open").some((c) => c.body.trigger_id === forged.request.payload.trigger_id)).toBe(false);
      }

      const asked = [
        await (await type("/reflect", "", inDm(teamId, viewer))).reply(),
        await (await type("/reflect", "export", inDm(teamId, viewer))).reply(),
        await (await type("/incident", "show INC-1", { teamId, channelId, userId: viewer })).reply(),
        await (await type("/action", `list <@${sam}>`, { teamId, channelId, userId: viewer })).reply(),
      ];
      for (const reply of asked) expect(leaks(reply), `${viewer}: ${everyText(reply)}`).toBe(false);
    }
    // The manager and the lead are in the incident's circle: they do see the incident, just not the reflection.
    expect(everyText(await (await type("/incident", "show INC-1", { teamId, channelId, userId: "U6MGR" })).reply())).toContain("Wrong dose");

    // Sam's prompt and answers are as they were.
    expect(await promptRow(promptId)).toEqual(promptBefore);
    expect(await reflectionRows(promptId)).toEqual(stored);
    expect(leaks(await database.db.selectFrom("audit_log").selectAll().execute())).toBe(false);

    // Sam can: the export lands in sam's DM with the answers (so the checks below look for text that does travel).
    const before = fake.files().length;
    await (await type("/reflect", "export", inDm(teamId, sam))).reply();
    const [own] = await fake.waitFor(() => fake.files().length > before && fake.files().slice(before));
    expect(own!.channelId).toBe(dmOf(sam));
    expect(own!.content).toContain(secrets[0]);

    // Nothing Debrief sent anyone but sam, by any method, in any reply or file, ever held the answers.
    const samsChannels = [sam, dmOf(sam)];
    for (const call of fake.calls) {
      if (!leaks(call.body)) continue;
      expect(["chat.postMessage", "chat.update", "files.completeUploadExternal"], `${call.method}: ${everyText(call.body)}`).toContain(call.method);
      expect(samsChannels).toContain(String(call.body.channel ?? call.body.channel_id));
    }
    for (const response of fake.responses) {
      if (leaks(response.body)) expect(response.id.startsWith(`${sam}-`), `reply ${response.id}`).toBe(true);
    }
    for (const file of fake.files()) {
      if (leaks(file.content) || leaks(file.comment)) expect(file.channelId).toBe(dmOf(sam));
    }
  });
});
