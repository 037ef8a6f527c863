import { sql } from "kysely";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { startDebrief } from "../../src/main.ts";
import type { Running } from "../../src/runtime.ts";
import { startFakeSlack, type FakeSlack, type SlackCall } from "../support/fake-slack.ts";
import { silentLog } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { blockActions, send, SIGNING_SECRET, slashCommand, viewSubmission, type SlackRequest, type SlashCommandOptions } from "../support/slack-requests.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Overdue actions climbing the reporting line (issue 9), end to end as Slack drives it: the real process
 * (`startDebrief()` from src/main.ts) with Postgres, Redis, the escalation sweep every second, the delivery worker and
 * the Bolt app over HTTP, a fake Slack Web API, and requests signed as Slack signs them.
 *
 * The ladder is of seconds: the owner at the due time, their manager 2 s later, the lead 4 s later. Actions are added
 * with `/action … in 1 hour …` (a due phrase must be ahead), then their due time is moved to now in SQL with the
 * ladder at its first step, as an hour passing would: the sweep compares with the database's clock. Each test has a
 * workspace, a channel and people of its own, since the fake files direct messages by user id across workspaces.
 */

const LADDER = "PT0S:owner,PT2S:manager,PT4S:lead";

let fake: FakeSlack;
let database: TestDatabase;
let prefix: string;
let running: Running;
let endpoint: string;

beforeAll(async () => {
  fake = await startFakeSlack();
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
    ESCALATION_LADDER: LADDER,
    SWEEP_EVERY: "PT1S",
    WORKING_HOURS: "always",
    // Reflection prompts a month away, so none lands in the direct messages these tests read.
    REFLECTION_SCHEDULE: "P30D",
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

// ── Slack as its users drive it ──────────────────────────────────────────────

let seq = 0;

/** Types a slash command; `reply()` waits for what Debrief answers through the response_url. */
async function type(command: string, text: string, options: SlashCommandOptions & { userId: string }) {
  const id = `${options.userId}-reply-${++seq}`;
  const ack = await send(endpoint, slashCommand({ command, text, responseUrl: fake.responseUrl(id), ...options }));
  expect(ack.status).toBe(200);
  return { id, reply: async (timeoutMs = 10_000) => (await fake.waitForResponses(id, 1, timeoutMs))[0]!.body };
}

/** One test's team: a workspace, its team channel, an admin, the lead, a manager, and who reports to that manager. */
interface Team {
  teamId: string;
  channelId: string;
  admin: string;
  lead: string;
  manager: string;
}

/** Makes the channel a team space with a lead, and sets each report's manager, as the team's admin would. */
async function teamOf(n: number, reports: readonly string[]): Promise<Team> {
  const team: Team = { teamId: `T${n}ESC`, channelId: `C${n}ESC`, admin: `U${n}ADMIN`, lead: `U${n}LEAD`, manager: `U${n}MGR` };
  fake.admins.add(team.admin);
  const where = { teamId: team.teamId, channelId: team.channelId, channelName: `team-${n}`, userId: team.admin };
  expect(everyText(await (await type("/debrief", "setup", where)).reply())).toContain("team space");
  expect(everyText(await (await type("/debrief", `lead <@${team.lead}>`, where)).reply())).toContain("is now the lead");
  for (const report of reports) {
    expect((await (await type("/debrief", `manager <@${report}> <@${team.manager}>`, where)).reply()).text).toBe("Reporting line set");
  }
  return team;
}

/** Logs an incident in the team's channel; gives its reference. */
async function incident(team: Team, reporter: string, text: string): Promise<string> {
  const reply = await (await type("/incident", text, { teamId: team.teamId, channelId: team.channelId, userId: reporter })).reply();
  const ref = /INC-\d+/.exec(String(reply.text))?.[0];
  expect(ref, everyText(reply)).toBeDefined();
  return ref!;
}

/** `/action INC-n <@owner> in 1 hour <title>` in the team's channel; gives the action's reference. */
async function addAction(team: Team, by: string, incidentRef: string, owner: string, title: string): Promise<string> {
  const reply = await (await type("/action", `${incidentRef} <@${owner}> in 1 hour ${title}`, { teamId: team.teamId, channelId: team.channelId, userId: by })).reply();
  const ref = /A-\d+/.exec(everyText(reply))?.[0];
  expect(ref, everyText(reply)).toBeDefined();
  return ref!;
}

/**
 * An hour passes for these actions (all of the workspace's when none are named): each is due now, at the first step of
 * its ladder, as the core would have it had it been added an hour ago. All are due at the same instant.
 */
async function dueNow(team: Team, refs?: readonly string[]): Promise<Date> {
  // An hour on, the messages of setting the team up and adding the actions are long out: their direct messages, paced
  // at about one a second per person, no longer stand in line ahead of the owner's step.
  await waitFor(() => allSent(team), { timeoutMs: 30_000, intervalMs: 100 });
  // …and the last of them more than a direct message's pace (1.1 s) ago.
  await waitFor(
    async () => {
      const { rows } = await sql<{ quiet: boolean }>`select max(sent_at) < now() - interval '1200 milliseconds' as quiet from delivery where workspace_id = ${team.teamId}`.execute(database.db);
      return rows[0]!.quiet;
    },
    { timeoutMs: 5_000, intervalMs: 100 },
  );
  // One transaction: now() is its start, the same instant for every row; the rows are moved in the order given.
  return database.db.transaction().execute(async (tx) => {
    const numbers = refs
      ? refs.map((r) => Number(r.slice(2)))
      : (await tx.selectFrom("action").select("number").where("workspace_id", "=", `slack:${team.teamId}`).orderBy("number").execute()).map((r) => r.number);
    let dueAt: Date | undefined;
    for (const number of numbers) {
      const row = await tx
        .updateTable("action")
        .set({ due_at: sql`now()`, next_step_at: sql`now()`, escalation_step: 1 })
        .where("workspace_id", "=", `slack:${team.teamId}`)
        .where("number", "=", number)
        .returning("due_at")
        .executeTakeFirstOrThrow();
      dueAt = row.due_at;
    }
    return dueAt!;
  });
}

/** Where each press was made, by its response_url's id: replies to a press in a channel replace a channel message. */
const pressedIn = new Map<string, string>();

interface Pressed {
  request: SlackRequest;
  responseId: string;
  reply: (timeoutMs?: number) => Promise<Record<string, any>>;
  modal: (timeoutMs?: number) => Promise<Record<string, any>>;
}

/**
 * Presses a button of a message Debrief posted, as Slack sends it: block_actions with that message as the container, the
 * channel (or the app's DM with the presser) it is in, and the button as it was rendered.
 */
async function press(team: Team, userId: string, message: Posted, button: Button): Promise<Pressed> {
  const responseId = `${userId}-press-${++seq}`;
  pressedIn.set(responseId, message.channel);
  const inDm = message.channel.startsWith("D");
  const base = blockActions({
    teamId: team.teamId,
    userId,
    channelId: message.channel,
    channelName: inDm ? "directmessage" : `team-${team.channelId}`,
    actionId: button.action_id,
    value: button.value,
    responseUrl: fake.responseUrl(responseId),
  });
  const payload: Record<string, any> = {
    ...base.payload,
    container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    message: { type: "message", ts: message.ts, text: message.call.body.text, blocks: message.call.body.blocks, user: "UBOT0001" },
    actions: [{ ...base.payload.actions[0], block_id: "escalation", text: button.text }],
  };
  const request: SlackRequest = { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: base.contentType, payload };
  const ack = await send(endpoint, request);
  expect(ack.status).toBe(200);
  expect(ack.ms).toBeLessThan(3000);
  return {
    request,
    responseId,
    reply: async (timeoutMs = 10_000) => (await fake.waitForResponses(responseId, 1, timeoutMs))[0]!.body,
    modal: async (timeoutMs = 10_000) =>
      (await fake.waitFor(() => fake.callsTo("views.open").find((c) => c.body.trigger_id === payload.trigger_id), timeoutMs)).body.view as Record<string, any>,
  };
}

// ── what Slack was sent ──────────────────────────────────────────────────────

type Button = { action_id: string; value: string; text: { type: string; text: string } };

const everyText = (value: unknown): string => JSON.stringify(value);
const buttonsOf = (body: Record<string, any>): Button[] => ((body.blocks ?? []) as any[]).filter((b) => b.type === "actions").flatMap((b) => b.elements);
const escalationButtons = (body: Record<string, any>): Button[] => buttonsOf(body).filter((b) => b.action_id.startsWith("escalation."));
/**
 * The escalation message a post is (its buttons name it), if it is one. The DM telling an owner of a new action has the
 * same buttons, named for that message ("action-…-assigned"); a nudge's are named for the nudge.
 */
const messageKeyOf = (call: SlackCall): string | undefined => {
  const key = escalationButtons(call.body)[0]?.value.split(" ")[1];
  return key?.startsWith("escalation-") && !key.includes("-nudge-") ? key : undefined;
};
/** The actions a message offers buttons for. */
const refsIn = (body: Record<string, any>): string[] => [...new Set(escalationButtons(body).map((b) => b.value.split(" ")[0]!))];
const buttonLabelled = (body: Record<string, any>, label: string): Button => {
  const found = buttonsOf(body).find((b) => b.text.text === label);
  expect(found, `a button "${label}" in ${everyText(body.blocks)}`).toBeDefined();
  return found!;
};

/** Escalation messages posted to a channel, or to a person's DM (by user id), in the order Slack received them. */
const escalationPosts = (channel: string): SlackCall[] =>
  fake.callsTo("chat.postMessage").filter((c) => c.body.channel === channel && messageKeyOf(c) !== undefined);
/** Channel posts whose first section mentions the person first: the manager's or the lead's step. */
const stepsFor = (team: Team, recipient: string): SlackCall[] =>
  escalationPosts(team.channelId).filter((c) => String((c.body.blocks as any[]).find((b) => b.type === "section")?.text?.text ?? "").startsWith(`<@${recipient}>`));

interface Posted {
  call: SlackCall;
  key: string;
  channel: string;
  ts: string;
}

/** A post with where it landed and its ts, as the delivery worker recorded them for its message. */
async function landed(call: SlackCall): Promise<Posted> {
  const key = messageKeyOf(call)!;
  return waitFor(async () => {
    const row = await database.db.selectFrom("delivery").selectAll().where("dedupe_key", "=", key).executeTakeFirst();
    return row?.status === "sent" && row.message_id && row.message_channel_id ? { call, key, channel: row.message_channel_id, ts: row.message_id } : undefined;
  });
}

/** Every method Slack was asked to show in a channel (not a DM), and every reply that replaced a channel message. */
function everythingShownIn(channelId: string): unknown[] {
  const calls = fake.calls.filter((c) => !c.failed && String(c.body.channel ?? c.body.channel_id ?? "") === channelId).map((c) => c.body);
  const replaced = fake.responses.filter(
    (r) => pressedIn.get(r.id) === channelId && (r.body.replace_original === true || r.body.response_type === "in_channel"),
  );
  return [...calls, ...replaced.map((r) => r.body)];
}

/** Block Kit's limits on one message: 50 blocks, 25 elements in an actions block, unique action ids. */
function expectWithinBlockKit(body: Record<string, any>): void {
  const blocks = body.blocks as any[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks.filter((b) => b.type === "actions")) expect(block.elements.length).toBeLessThanOrEqual(25);
  const ids = buttonsOf(body).map((b) => b.action_id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(String(body.text).length).toBeLessThanOrEqual(3000);
}

// ── what Debrief stored ──────────────────────────────────────────────────────

async function actionRow(team: Team, ref: string) {
  return database.db
    .selectFrom("action")
    .selectAll()
    .where("workspace_id", "=", `slack:${team.teamId}`)
    .where("number", "=", Number(ref.slice(2)))
    .executeTakeFirstOrThrow();
}

async function stepsOf(team: Team, ref: string) {
  const { id } = await actionRow(team, ref);
  return database.db.selectFrom("escalation_step").select(["stage", "target", "place", "message_key", "outcome"]).where("action_id", "=", id).orderBy("stage").execute();
}

/** The workspace's messages, all sent: nothing more is queued to go. */
async function allSent(team: Team): Promise<boolean> {
  const rows = await database.db.selectFrom("delivery").select("status").where("workspace_id", "=", team.teamId).execute();
  return rows.length > 0 && rows.every((r) => r.status === "sent");
}

// Two or three sweeps (SWEEP_EVERY 1 s) and deliveries: a step or post that was still to come would have arrived.
const SETTLE_MS = 2_500;

// ── the tests ────────────────────────────────────────────────────────────────

describe.concurrent("an overdue action over Slack", () => {
  it("reaches the owner by DM, then the manager in the team channel, then the lead, in that order, each once", { timeout: 45_000 }, async () => {
    const sam = "U1SAM";
    const team = await teamOf(1, [sam]);
    const inc = await incident(team, "U1REP", "medication low Wrong dose given at teatime");
    const ref = await addAction(team, "U1REP", inc, sam, "Update the MAR chart");
    const dueAt = await dueNow(team, [ref]);

    const [owner] = await fake.waitFor(() => escalationPosts(sam).length >= 1 && escalationPosts(sam), 10_000);
    expect(owner!.body.text).toBe(`${ref} is overdue`);
    expect(everyText(owner!.body.blocks)).toContain("Update the MAR chart");
    expect(buttonsOf(owner!.body).map((b) => [b.action_id, b.text.text])).toEqual([
      ["escalation.done", "Done"],
      ["escalation.extend", "Extend"],
      ["escalation.reassign", "Reassign"],
    ]);

    const [manager] = await fake.waitFor(() => stepsFor(team, team.manager).length >= 1 && stepsFor(team, team.manager), 10_000);
    const managerText = everyText(manager!.body.blocks);
    expect(managerText).toContain(`<@${team.manager}>: 1 action owned by people who report to you is overdue.`);
    expect(managerText).toContain("Update the MAR chart");
    expect(managerText).toContain(`owner <@${sam}>`);
    expect(buttonsOf(manager!.body).map((b) => b.text.text)).toEqual([`Nudge owner of ${ref}`, `Extend ${ref}`, `Reassign ${ref}`, `Mark ${ref} done`]);

    const [lead] = await fake.waitFor(() => stepsFor(team, team.lead).length >= 1 && stepsFor(team, team.lead), 10_000);
    expect(everyText(lead!.body.blocks)).toContain(`<@${team.lead}>: 1 action owned by your team is overdue.`);

    // In order, and none before its time on the ladder (the sweep reads the database's clock, as does dueAt).
    expect(owner!.at).toBeGreaterThanOrEqual(dueAt.getTime() - 50);
    expect(manager!.at).toBeGreaterThanOrEqual(dueAt.getTime() + 2_000 - 50);
    expect(lead!.at).toBeGreaterThanOrEqual(dueAt.getTime() + 4_000 - 50);
    expect(owner!.at).toBeLessThan(manager!.at);
    expect(manager!.at).toBeLessThan(lead!.at);

    // Taken in order, each at or after its time on the ladder, by the database's clock.
    const { id } = await actionRow(team, ref);
    const taken = await database.db.selectFrom("escalation_step").select(["stage", "created_at"]).where("action_id", "=", id).orderBy("id").execute();
    expect(taken.map((s) => s.stage)).toEqual([1, 2, 3]);
    taken.forEach((s, i) => expect(s.created_at.getTime()).toBeGreaterThanOrEqual(dueAt.getTime() + [0, 2_000, 4_000][i]!));

    // Past the ladder's end: the action stays open and stops climbing; three steps, three messages, each once.
    await waitFor(async () => (await actionRow(team, ref)).next_step_at === null && (await allSent(team)), { timeoutMs: 10_000 });
    await sleep(SETTLE_MS); // an absence: no step may come again
    expect((await actionRow(team, ref)).status).toBe("open");
    expect((await stepsOf(team, ref)).map((s) => `${s.stage} ${s.target} ${s.place}`)).toEqual(["1 owner person", "2 manager channel", "3 lead channel"]);
    expect(escalationPosts(sam)).toHaveLength(1);
    expect(escalationPosts(team.channelId)).toHaveLength(2);
    // The manager and the lead were told in the channel, not by DM; the reporter not at all.
    for (const person of [team.manager, team.lead, "U1REP"]) expect(escalationPosts(person)).toEqual([]);
  });

  it("stops climbing when Mark done is pressed on the manager's channel message, which is replaced to show it done", { timeout: 45_000 }, async () => {
    const sam = "U2SAM";
    const team = await teamOf(2, [sam]);
    // This team's own ladder (it wins over the workspace's): the lead step far enough behind the manager's that the
    // press below surely comes first, however slow the machine.
    const where = { teamId: team.teamId, channelId: team.channelId, channelName: "team-2", userId: team.lead };
    expect(everyText(await (await type("/debrief", "settings escalation-ladder PT0S:owner,PT2S:manager,PT10S:lead", where)).reply())).toContain("lead after PT10S, the team's own");
    const inc = await incident(team, "U2REP", "medication low Wrong dose given at teatime");
    const ref = await addAction(team, "U2REP", inc, sam, "Update the MAR chart");
    const dueAt = await dueNow(team, [ref]);

    const owner = await landed(await fake.waitFor(() => escalationPosts(sam)[0], 10_000));
    const manager = await landed(await fake.waitFor(() => stepsFor(team, team.manager)[0], 10_000));
    expect(manager.channel).toBe(team.channelId);

    const pressed = await press(team, team.manager, manager, buttonLabelled(manager.call.body, `Mark ${ref} done`));
    // This adapter replaces the pressed message through the press's response_url (not chat.update).
    const replaced = await pressed.reply();
    expect(replaced.replace_original).toBe(true);
    expect(replaced.response_type).not.toBe("ephemeral");
    expect(replaced.text).toBe(`Person ${team.manager}: 1 action dealt with`);
    const shown = everyText(replaced.blocks);
    expect(shown).toContain(`<@${team.manager}>: 1 action owned by people who report to you was overdue; now dealt with or given more time.`);
    expect(shown).toContain(`${ref} for ${inc}`);
    expect(shown).toMatch(/marked done by [^"]*U2MGR/);
    expect(buttonsOf(replaced)).toEqual([]);

    // The owner's DM about it is edited to say so too, in place (chat.update on that message), with nothing to press.
    const ownerEdit = await fake.waitFor(() => fake.callsTo("chat.update").find((c) => c.body.channel === owner.channel && c.body.ts === owner.ts), 10_000);
    expect(everyText(ownerEdit.body.blocks)).toMatch(/marked done by/);
    expect(buttonsOf(ownerEdit.body)).toEqual([]);
    // The pressed message was replaced by its response_url, so it is not also edited.
    expect(fake.callsTo("chat.update").filter((c) => c.body.ts === manager.ts)).toEqual([]);

    const action = await actionRow(team, ref);
    expect(action).toMatchObject({ status: "done", next_step_at: null });
    // The lead's step was due 10 s after the due time: it never comes.
    await waitFor(() => Date.now() > dueAt.getTime() + 10_000 + SETTLE_MS, { timeoutMs: 20_000, intervalMs: 200 });
    expect(stepsFor(team, team.lead)).toEqual([]);
    expect((await stepsOf(team, ref)).map((s) => [s.target, s.outcome])).toEqual([
      ["owner", expect.stringMatching(/^marked done by/)],
      ["manager", expect.stringMatching(/^marked done by/)],
    ]);
    expect(escalationPosts(team.channelId)).toHaveLength(1);
    expect(escalationPosts(sam)).toHaveLength(1);
  });

  it("moves every later step when Extend's form is submitted with a new due time: no manager step at the old time", { timeout: 45_000 }, async () => {
    const sam = "U3SAM";
    const team = await teamOf(3, [sam]);
    // The manager's step 6 s after the due time (this team's own ladder), so the owner surely extends first.
    const where = { teamId: team.teamId, channelId: team.channelId, channelName: "team-3", userId: team.admin };
    await (await type("/debrief", "settings escalation-ladder PT0S:owner,PT6S:manager,PT8S:lead", where)).reply();
    const inc = await incident(team, "U3REP", "medication low Wrong dose given at teatime");
    const ref = await addAction(team, "U3REP", inc, sam, "Update the MAR chart");
    const dueAt = await dueNow(team, [ref]);

    const owner = await landed(await fake.waitFor(() => escalationPosts(sam)[0], 10_000));
    expect(owner.channel).toBe(`D${sam.slice(1)}`);
    const opened = await press(team, sam, owner, buttonLabelled(owner.call.body, "Extend"));
    const modal = await opened.modal();
    expect(modal).toMatchObject({ type: "modal", callback_id: "escalation.extend_form" });
    expect(everyText(modal.blocks)).toContain(`${ref} is due`);

    const saved = await send(endpoint, viewSubmission({ teamId: team.teamId, userId: sam, view: modal, answers: { due: "in 3 days" } }));
    expect(saved.ms).toBeLessThan(3000);
    expect(saved.json, saved.text).toMatchObject({ response_action: "update", view: { type: "modal" } });
    expect(everyText(saved.json)).toContain(`${ref} for ${inc}: Update the MAR chart is now due`);

    const action = await actionRow(team, ref);
    expect(action.due_at.getTime()).toBeGreaterThan(Date.now() + 2 * 24 * 3600_000);
    // The climb starts again from the new due time: its reminder, a day before it; nothing now until then.
    expect(action.escalation_step).toBe(0);
    expect(action.next_step_at!.getTime()).toBe(action.due_at.getTime() - 24 * 3600_000);

    // The owner's DM is edited in place to say the due time moved, and still offers its buttons.
    const edit = await fake.waitFor(() => fake.callsTo("chat.update").find((c) => c.body.channel === owner.channel && c.body.ts === owner.ts), 10_000);
    expect(everyText(edit.body.blocks)).toContain("due moved to");

    // Past where the manager's and the lead's steps were due: neither came, and only the owner's step was taken.
    await waitFor(() => Date.now() > dueAt.getTime() + 8_000 + SETTLE_MS, { timeoutMs: 20_000, intervalMs: 200 });
    expect(escalationPosts(team.channelId)).toEqual([]);
    expect((await stepsOf(team, ref)).map((s) => s.target)).toEqual(["owner"]);
    expect(escalationPosts(sam)).toHaveLength(1);
  });
});

describe.concurrent("the sweep over Slack", () => {
  it("posts 30 overdue actions of one manager's reports as ONE channel message within Block Kit's limits", { timeout: 60_000 }, async () => {
    const reports = ["U4SAM", "U4KIM", "U4ALI"];
    const team = await teamOf(4, reports);
    const inc = await incident(team, "U4REP", "medication low Wrong doses across the week");
    const refs: string[] = [];
    for (let i = 0; i < 30; i++) refs.push(await addAction(team, "U4REP", inc, reports[i % 3]!, `Task number ${i + 1}`));
    expect(refs).toEqual(Array.from({ length: 30 }, (_, i) => `A-${i + 1}`));
    // All due at the same moment, as thirty actions due "by friday" are; the rows last touched newest first, as edits
    // over the week might leave them. The messages list them by reference all the same.
    await dueNow(team, [...refs].reverse());

    // The manager's step: one message for the thirty.
    const [manager] = await fake.waitFor(() => stepsFor(team, team.manager).length >= 1 && stepsFor(team, team.manager), 15_000);
    expect(manager!.body.text).toBe(`Person ${team.manager}: 30 actions overdue`);
    const text = everyText(manager!.body.blocks);
    expect(text).toContain(`<@${team.manager}>: 30 actions owned by people who report to you are overdue.`);
    expect(text).toContain("and 20 more");
    expect(text).toContain("/action list @person");
    expectWithinBlockKit(manager!.body);
    // Ten listed with their four buttons each; the rest by the summary line.
    expect(refsIn(manager!.body)).toEqual(refs.slice(0, 10));
    expect(escalationButtons(manager!.body)).toHaveLength(40);

    const [lead] = await fake.waitFor(() => stepsFor(team, team.lead).length >= 1 && stepsFor(team, team.lead), 15_000);
    expectWithinBlockKit(lead!.body);
    expect(everyText(lead!.body.blocks)).toContain(`<@${team.lead}>: 30 actions owned by your team are overdue.`);

    await waitFor(async () => (await allSent(team)) && (await database.db.selectFrom("escalation_step").select("id").where("target", "=", "lead").execute()).length >= 30, {
      timeoutMs: 15_000,
    });
    await sleep(SETTLE_MS);
    // Two channel messages in all: the manager's and the lead's, each carrying thirty steps.
    expect(escalationPosts(team.channelId)).toHaveLength(2);
    for (const post of [manager!, lead!]) {
      const carried = await database.db.selectFrom("escalation_step").select("id").where("message_key", "=", messageKeyOf(post)!).execute();
      expect(carried).toHaveLength(30);
    }
    // Each owner had their ten in one direct message, listed by reference, within the limits too.
    reports.forEach((report, r) => {
      const dms = escalationPosts(report);
      expect(dms).toHaveLength(1);
      expect(dms[0]!.body.text).toBe("10 of your actions need you");
      expect(refsIn(dms[0]!.body)).toEqual(refs.filter((_, i) => i % 3 === r));
      expectWithinBlockKit(dms[0]!.body);
    });
  });
});

describe.concurrent("a restricted incident's action", () => {
  it("is named in the channel by reference only, in every post and update, and its title reaches the manager and lead by DM", { timeout: 45_000 }, async () => {
    const sam = "U5SAM";
    const team = await teamOf(5, [sam]);
    const title = "Write up the disclosure for the LADO";
    const inc = await incident(team, "U5REP", `safeguarding Disclosure during key work <@${sam}>`);
    const ref = await addAction(team, "U5REP", inc, sam, title);
    await dueNow(team, [ref]);

    const manager = await landed(await fake.waitFor(() => stepsFor(team, team.manager)[0], 10_000));
    expect(everyText(manager.call.body.blocks)).toContain(`*${ref} for ${inc}* (restricted) · owner <@${sam}>`);
    expect(everyText(manager.call.body)).not.toContain(title);
    // The title, by DM, to the manager alone.
    const toManager = await fake.waitFor(() => fake.callsTo("chat.postMessage").find((c) => c.body.channel === team.manager && everyText(c.body).includes(title)), 10_000);
    expect(everyText(toManager.body.blocks)).toContain(`${ref} for ${inc}`);

    const lead = await landed(await fake.waitFor(() => stepsFor(team, team.lead)[0], 10_000));
    expect(everyText(lead.call.body)).not.toContain(title);
    await fake.waitFor(() => fake.callsTo("chat.postMessage").find((c) => c.body.channel === team.lead && everyText(c.body).includes(title) && everyText(c.body).includes(ref)), 10_000);

    // The manager nudges the owner from the channel message, then the lead marks it done there: both replace or edit
    // channel messages, and none may name it either.
    const nudged = await press(team, team.manager, manager, buttonLabelled(manager.call.body, `Nudge owner of ${ref}`));
    expect((await nudged.reply()).replace_original).toBe(true);
    const nudge = await fake.waitFor(() => fake.callsTo("chat.postMessage").find((c) => c.body.channel === sam && everyText(c.body).includes("asks you to look at")), 10_000);
    expect(everyText(nudge.body)).toContain(title); // the owner may see their own action's title
    const done = await press(team, team.lead, lead, buttonLabelled(lead.call.body, `Mark ${ref} done`));
    expect(everyText(await done.reply())).toContain("marked done by");
    // The manager's message is edited to say it was done.
    await fake.waitFor(() => fake.callsTo("chat.update").filter((c) => c.body.channel === team.channelId && c.body.ts === manager.ts && everyText(c.body).includes("marked done")).length >= 1, 10_000);
    await waitFor(() => allSent(team), { timeoutMs: 10_000 });

    // Every call that showed anything in the channel, and every reply that replaced a channel message: never the title.
    const shown = everythingShownIn(team.channelId);
    expect(shown.length).toBeGreaterThanOrEqual(5); // the announcement, two steps, their edit and replacement
    for (const body of shown) expect(everyText(body), everyText(body)).not.toContain(title);
    for (const body of shown) expect(everyText(body)).not.toContain("LADO");
    // Nor in any message to anyone outside the circle that should see it.
    const readers = new Set([sam, team.manager, team.lead, "U5REP", `D${sam.slice(1)}`, `D${team.manager.slice(1)}`, `D${team.lead.slice(1)}`, `D5REP`]);
    for (const call of fake.calls.filter((c) => everyText(c.body).includes(title))) {
      expect(readers.has(String(call.body.channel)), `${call.method} to ${call.body.channel}`).toBe(true);
    }
  });
});
