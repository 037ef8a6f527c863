import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { startDebrief } from "../../src/main.ts";
import type { Running } from "../../src/runtime.ts";
import { startFakeSlack, type FakeSlack, type SlackCall } from "../support/fake-slack.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { waitFor } from "../support/wait.ts";
import { waitUntilSettled } from "../support/settled.ts";
import {
  blockActions,
  send,
  SIGNING_SECRET,
  slashCommand,
  viewSubmission,
  type Answer,
  type SlashCommandOptions,
  type SlackReply,
} from "../support/slack-requests.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLog } from "../support/fakes.ts";

/**
 * Debrief end to end as Slack drives it: the real process (`startDebrief()` from src/main.ts) with Postgres, Redis, the
 * delivery worker and the Bolt app over HTTP, a fake Slack Web API, and requests signed as Slack signs them.
 * Each test uses a workspace of its own, so references (INC-1, INC-2, …) start again in each.
 */

let fake: FakeSlack;
let database: TestDatabase;
let postgres: PostgresLink;
let prefix: string;
let running: Running;
let endpoint: string;

beforeAll(async () => {
  fake = await startFakeSlack({ displayNames: { U0LEAD: "Jo Lead", U0REPORTER: "Sam" } });
  database = await createTestDatabase();
  postgres = await linkTo(database.url);
  prefix = uniquePrefix();
  const config = readConfig({
    DATABASE_URL: postgres.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: "0",
  });
  running = await startDebrief(config, { role: "all", log: silentLog });
  endpoint = `http://127.0.0.1:${running.port}/slack/events`;
});

afterAll(async () => {
  await running?.stop();
  await postgres?.close();
  await database?.drop();
  if (prefix) await clearPrefix(prefix);
  await fake?.close();
});

let seq = 0;

/** Types a slash command as a Slack user would; `reply()` waits for what Debrief answers through the response_url. */
async function type(command: string, text: string, options: SlashCommandOptions = {}) {
  const id = `reply-${++seq}`;
  const request = slashCommand({ command, text, responseUrl: fake.responseUrl(id), ...options });
  const ack = await send(endpoint, request);
  return {
    id,
    ack,
    /** The modal this command opened, as views.open received it. */
    modal: async () =>
      (await fake.waitFor(() => fake.callsTo("views.open").find((c) => c.body.trigger_id === request.payload.trigger_id))).body
        .view as Record<string, any>,
    reply: async (timeoutMs = 5000) => (await fake.waitForResponses(id, 1, timeoutMs))[0]!.body,
  };
}

/** Makes a channel a team space, optionally with a lead. */
async function teamSpace(teamId: string, channelId: string, leadId?: string): Promise<void> {
  const where = { teamId, channelId, channelName: `team-${channelId.toLowerCase()}`, userId: "U0SETUP" };
  expect(JSON.stringify(await (await type("/debrief", "setup", where)).reply())).toContain("team space");
  if (leadId) expect(JSON.stringify(await (await type("/debrief", `lead <@${leadId}>`, where)).reply())).toContain("is now the lead");
}

const posts = (channel: string): SlackCall[] => fake.callsTo("chat.postMessage").filter((c) => c.body.channel === channel);
const mentionsRef = (call: SlackCall, ref: string): boolean => new RegExp(`(^|\\W)${ref}(\\W|$)`).test(String(call.body.text));
const everyText = (value: unknown): string => JSON.stringify(value);

function expectPromptEmptyAck(ack: SlackReply): void {
  expect(ack.status).toBe(200);
  expect(ack.text).toBe("");
  expect(ack.ms).toBeLessThan(3000);
}

describe("logging an incident from Slack", () => {
  it("opens the incident form, shows what is wrong inline, and saves a valid form", async () => {
    const teamId = "T0FORM";
    await teamSpace(teamId, "C0FORM");
    const opened = await type("/incident", "", { teamId, channelId: "C0FORM", userId: "U0REPORTER" });
    expectPromptEmptyAck(opened.ack);
    const modal = await opened.modal();
    expect(modal).toMatchObject({ type: "modal", callback_id: "incident.new" });
    const blockIds = (modal.blocks as { type: string; block_id?: string }[]).filter((b) => b.type === "input").map((b) => b.block_id);
    expect(blockIds).toEqual(expect.arrayContaining(["category", "summary", "physical_harm", "involved", "occurred_at", "notifications"]));

    // Invalid: no category, no summary. The modal stays open with errors beside those inputs.
    const invalid = await send(endpoint, viewSubmission({ teamId, userId: "U0REPORTER", view: modal, answers: { summary: "" } }));
    expect(invalid.status).toBe(200);
    expect(invalid.ms).toBeLessThan(3000);
    expect(invalid.json).toMatchObject({ response_action: "errors", errors: { category: expect.any(String), summary: expect.any(String) } });
    expect(Object.keys(invalid.json!.errors).every((id) => blockIds.includes(id))).toBe(true);

    // Valid: saved, the modal shows the confirmation, and the team channel hears of it.
    const answers: Record<string, Answer> = {
      event_type: "incident",
      category: "medication",
      summary: "Missed evening medication at Oak House",
      what_happened: "The 8pm dose was not given; found at handover.",
      physical_harm: "none",
      involved: ["U0CARER"],
      occurred_at: new Date(Date.now() - 60 * 60_000),
      notifications: ["regulator"],
      learning_response: "debrief",
    };
    const valid = await send(endpoint, viewSubmission({ teamId, userId: "U0REPORTER", view: modal, answers }));
    expect(valid.ms).toBeLessThan(3000);
    expect(valid.json).toMatchObject({ response_action: "update", view: { type: "modal" } });
    expect(everyText(valid.json)).toContain("Logged INC-1");
    const [announced] = await fake.waitFor(() => posts("C0FORM").filter((c) => mentionsRef(c, "INC-1")).length === 1 && posts("C0FORM"));
    expect(announced!.body.text).toContain("Missed evening medication at Oak House");

    const shown = await (await type("/incident", "show INC-1", { teamId, channelId: "C0FORM", userId: "U0REPORTER" })).reply();
    expect(everyText(shown)).toContain("The 8pm dose was not given");
  });

  it("logs a one-line incident at once and replies only to the reporter with its reference and next steps", async () => {
    const teamId = "T0QUICK";
    await teamSpace(teamId, "C0QUICK");
    const logged = await type("/incident", "medication low Missed evening meds at Oak House", { teamId, channelId: "C0QUICK", userId: "U0REPORTER" });
    expectPromptEmptyAck(logged.ack);
    const reply = await logged.reply();
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toBe("Logged INC-1: Missed evening meds at Oak House");
    const buttons = (reply.blocks as any[]).filter((b) => b.type === "actions").flatMap((b) => b.elements);
    expect(buttons).toEqual(expect.arrayContaining([expect.objectContaining({ action_id: "incident.details", value: "INC-1" })]));

    const [announcement] = await fake.waitFor(() => posts("C0QUICK").length >= 1 && posts("C0QUICK"));
    expect(announcement!.body.text).toBe("INC-1 · Medication: Missed evening meds at Oak House");
    expect(everyText(announcement!.body.blocks)).toContain("<@U0REPORTER>");
  });

  it("announces a restricted incident by reference only, and sends its details to the lead by DM", async () => {
    const teamId = "T0SAFE";
    await teamSpace(teamId, "C0SAFE", "U0LEAD");
    const summary = "Allegation by YP-7 about a member of night staff";
    const logged = await type("/incident", `safeguarding ${summary}`, { teamId, channelId: "C0SAFE", userId: "U0REPORTER" });
    expectPromptEmptyAck(logged.ack);
    expect(everyText(await logged.reply())).toContain("The details have gone to the team lead");

    const [announcement] = await fake.waitFor(() => posts("C0SAFE").length >= 1 && posts("C0SAFE"));
    expect(announcement!.body.text).toBe("INC-1 · Safeguarding / allegation of abuse · restricted");
    expect(everyText(announcement!.body)).not.toContain("YP-7");
    expect(everyText(announcement!.body)).not.toContain("night staff");

    // The lead was told of their appointment too; the briefing is the DM that names the incident.
    const briefing = await fake.waitFor(() => posts("U0LEAD").find((p) => everyText(p.body.blocks).includes("INC-1")));
    expect(everyText(briefing.body.blocks)).toContain(summary);
    expect(everyText(briefing.body.blocks)).toContain("restricted");
  });

  it("edits the channel's announcement to reference only when the details form makes an incident restricted", { timeout: 20_000 }, async () => {
    const teamId = "T0RAISE";
    const where = { teamId, channelId: "C0RAISE", userId: "U0REPORTER" };
    await teamSpace(teamId, "C0RAISE", "U0LEAD");
    const summary = "Slipped on the wet kitchen floor";
    await (await type("/incident", `injury low ${summary}`, where)).reply();
    const [announced] = await fake.waitFor(() => posts("C0RAISE").length >= 1 && posts("C0RAISE"));
    expect(everyText(announced!.body.blocks)).toContain(summary);
    // Where the announcement landed, as the delivery worker recorded it.
    const sent = await waitFor(async () => {
      const announcements = database.db.selectFrom("delivery").selectAll().where("workspace_id", "=", teamId).where("dedupe_key", "like", "%-announce");
      const row = await announcements.executeTakeFirst();
      return row?.status === "sent" ? row : undefined;
    });

    // Add details, raising the harm to moderate.
    const press = blockActions({ ...where, actionId: "incident.details", value: "INC-1", responseUrl: fake.responseUrl("raise-details") });
    expect((await send(endpoint, press)).status).toBe(200);
    const opened = await fake.waitFor(() => fake.callsTo("views.open").find((c) => c.body.trigger_id === press.payload.trigger_id));
    const modal = opened.body.view as Record<string, any>;
    const answers = { category: "injury", summary, physical_harm: "moderate" };
    const saved = await send(endpoint, viewSubmission({ teamId, userId: "U0REPORTER", view: modal, answers }));
    expect(everyText(saved.json)).toContain("INC-1 is updated");

    const edits = () => fake.callsTo("chat.update").filter((c) => c.body.channel === "C0RAISE");
    const [edit] = await fake.waitFor(() => edits().length >= 1 && edits(), 10_000);
    expect(edit!.body).toMatchObject({ channel: sent.message_channel_id, ts: sent.message_id, text: "INC-1 · Accident, injury or fall · restricted" });
    expect(everyText(edit!.body.blocks)).toContain("restricted");
    expect(everyText(edit!.body.blocks)).not.toContain("Slipped");
    // Other tests' teams share this lead, so the DM is picked out by its summary.
    const dm = await fake.waitFor(() => posts("U0LEAD").find((c) => everyText(c.body.blocks).includes(summary)));
    expect(everyText(dm.body.blocks)).toContain("Moderate harm");
    // Every edit is a delivery row, recorded with the change it tells of: with no command left to run and every row of
    // the workspace sent or failed, no second edit can still come.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix });
    expect(edits()).toHaveLength(1);
  });

  it("echoes <!channel> and <@U1> in a summary as text, so nobody is pinged through the bot", async () => {
    const teamId = "T0ESC";
    await teamSpace(teamId, "C0ESC");
    // What Slack sends (should_escape: true) when someone types "@channel Fall & @Alex in the garden".
    const logged = await type("/incident", "<!channel> Fall &amp; <@U1> in the garden", { teamId, channelId: "C0ESC", userId: "U0REPORTER" });
    const reply = await logged.reply();
    const [announcement] = await fake.waitFor(() => posts("C0ESC").length >= 1 && posts("C0ESC"));
    for (const message of [reply, announcement!.body]) {
      const rendered = everyText({ text: message.text, blocks: message.blocks });
      expect(rendered).not.toContain("<!channel>");
      expect(rendered).not.toContain("<@U1>");
      // @Alex is involved now, and named in the summary, never mentioned: nobody is pinged through the bot.
      expect(rendered).toContain("&lt;!channel&gt; Fall &amp; @Person U1 in the garden");
    }
  });

  it("echoes a due date it cannot read as it was typed, not escaped twice", async () => {
    const teamId = "T0DUE";
    const where = { teamId, channelId: "C0DUE", userId: "U0REPORTER" };
    await teamSpace(teamId, "C0DUE");
    await (await type("/incident", "medication Missed evening meds", where)).reply();
    // What Slack sends (should_escape: true) when someone types "/action INC-1 @Sam by <tomorrow> Check the doors".
    const reply = await (await type("/action", "INC-1 <@U0REPORTER> by &lt;tomorrow&gt; Check the doors", where)).reply();
    const rendered = everyText({ text: reply.text, blocks: reply.blocks });
    expect(rendered).toContain("I couldn't read `by &lt;tomorrow&gt;` as a date");
    expect(rendered).not.toContain("&amp;lt;");
  });

  it("refuses a forged signature and a request older than 5 minutes with 401, changing nothing", async () => {
    const request = slashCommand({ teamId: "T0FORGE", text: "medication none Forged report", responseUrl: fake.responseUrl("forged") });
    expect((await send(endpoint, request, { forge: true })).status).toBe(401);
    expect((await send(endpoint, request, { timestamp: Math.floor(Date.now() / 1000) - 5 * 60 - 30 })).status).toBe(401);
    const listed = await (await type("/incident", "list", { teamId: "T0FORGE" })).reply();
    expect(everyText(listed)).toContain("No open incidents");
    expect(fake.responsesTo("forged")).toEqual([]);
  });
});

describe("Slack under load and failure", () => {
  it("gives 100 reports sent at the same moment INC-1…INC-100, each announced exactly once", { timeout: 90_000 }, async () => {
    const teamId = "T0LOAD";
    // Ten team channels, ten reports each: Slack pacing (about 1 post per second per channel) is exercised, briefly.
    const channels = Array.from({ length: 10 }, (_, i) => `C0LOAD${i}`);
    for (const channel of channels) await teamSpace(teamId, channel);

    const logs = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        type("/incident", `medication none Report number ${i} from the night shift`, {
          teamId,
          channelId: channels[i % 10],
          userId: `U0NIGHT${String(i).padStart(3, "0")}`,
        }),
      ),
    );
    for (const { ack } of logs) expectPromptEmptyAck(ack);
    const replies = await Promise.all(logs.map((l) => l.reply(15_000)));
    const refs = replies.map((r) => /^Logged (INC-\d+):/.exec(String(r.text))?.[1]);
    expect(new Set(refs)).toEqual(new Set(Array.from({ length: 100 }, (_, i) => `INC-${i + 1}`)));

    const announcements = () => channels.flatMap(posts);
    await fake.waitFor(() => announcements().length >= 100, 60_000);
    // All 100 commands have run and every announcement row is sent or failed: no duplicate can still be posted.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix, timeoutMs: 30_000 });
    const all = announcements();
    expect(all).toHaveLength(100);
    for (let n = 1; n <= 100; n++) expect(all.filter((c) => mentionsRef(c, `INC-${n}`))).toHaveLength(1);
  });

  it("announces each incident once when Slack answers 429 with Retry-After, or 500, before 200", { timeout: 30_000 }, async () => {
    const teamId = "T0RATE";
    await teamSpace(teamId, "C0RATE");
    fake.failNext("chat.postMessage", 2, { kind: "rate_limited", retryAfterSeconds: 1 });
    fake.failNext("chat.postMessage", 1, { kind: "http", status: 500 });
    const before = fake.attemptsAt("chat.postMessage").length;
    for (const summary of ["Door alarm failed overnight", "Fire door wedged open"]) {
      const logged = await type("/incident", `premises none ${summary}`, { teamId, channelId: "C0RATE", userId: "U0REPORTER" });
      expectPromptEmptyAck(logged.ack);
      await logged.reply();
    }
    await fake.waitFor(() => posts("C0RATE").length >= 2, 20_000);
    // A refused post puts its row back to pending for a retry; once every row is sent or failed, and no command is
    // left to run, nothing can be posted again.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix });
    expect(posts("C0RATE").filter((c) => mentionsRef(c, "INC-1"))).toHaveLength(1);
    expect(posts("C0RATE").filter((c) => mentionsRef(c, "INC-2"))).toHaveLength(1);
    const attempts = fake.attemptsAt("chat.postMessage").slice(before);
    expect(attempts.filter((c) => c.failed?.kind === "rate_limited")).toHaveLength(2);
    expect(attempts.filter((c) => c.failed?.kind === "http")).toHaveLength(1);
  });

  it("logs once and replies once when Slack refuses the first reply and the queued command is run again", { timeout: 20_000 }, async () => {
    const teamId = "T0AGAIN";
    await teamSpace(teamId, "C0AGAIN");
    fake.failNext("response_url", 1, { kind: "http", status: 500 });
    const logged = await type("/incident", "fall low Slipped on the wet kitchen floor", { teamId, channelId: "C0AGAIN", userId: "U0REPORTER" });
    expectPromptEmptyAck(logged.ack);
    // The first run logged INC-1 but could not reply; the queue runs the command again after its back-off.
    const reply = await logged.reply(10_000);
    expect(reply.text).toBe("Logged INC-1: Slipped on the wet kitchen floor");
    const [announcement] = await fake.waitFor(() => posts("C0AGAIN").length >= 1 && posts("C0AGAIN"));
    expect(announcement!.body.text).toBe("INC-1 · Accident, injury or fall: Slipped on the wet kitchen floor");
    // The queued command has finished (no retry waiting) and the announcement row is sent: no second reply or post can come.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix });
    expect(fake.responsesTo(logged.id)).toHaveLength(1);
    expect(posts("C0AGAIN")).toHaveLength(1);
    const rows = await database.db.selectFrom("incident").select("number").where("workspace_id", "=", `slack:${teamId}`).execute();
    expect(rows).toEqual([{ number: 1 }]);
  });

  it("tells the user within 3 seconds that nothing was saved when Postgres is down, and works again when it is back", async () => {
    const teamId = "T0DOWN";
    await teamSpace(teamId, "C0DOWN");
    const where = { teamId, channelId: "C0DOWN", userId: "U0REPORTER" };
    const opened = await type("/incident", "", where);
    expectPromptEmptyAck(opened.ack);
    const modal = await opened.modal();

    for (const failure of ["refused", "hanging"] as const) {
      postgres.fail(failure);
      const sent = performance.now();
      const logged = await type("/incident", "medication none Missed lunchtime meds", where);
      expectPromptEmptyAck(logged.ack);
      const reply = await logged.reply(3000);
      expect(performance.now() - sent).toBeLessThan(3000);
      expect(reply.text).toMatch(/nothing was saved/i);
      expect(reply.text).toMatch(/try again/i);
      expect(everyText(reply)).not.toMatch(/ECONN|at .*\.ts:\d+|stack/i);

      const submitted = await send(
        endpoint,
        viewSubmission({ teamId, userId: "U0REPORTER", view: modal, answers: { category: "medication", summary: "Missed meds", physical_harm: "none" } }),
      );
      expect(submitted.ms).toBeLessThan(3000);
      expect(submitted.json?.response_action).toBe("errors");
      expect(Object.values(submitted.json!.errors).join(" ")).toMatch(/nothing (was|has been) saved/i);
    }

    // Once Postgres is back, trying again works (connections still timing out from the outage may need a moment).
    postgres.restore();
    const text = await waitFor(
      async () => {
        const answer = String((await (await type("/incident", "medication none Missed lunchtime meds", where)).reply(5000)).text);
        expect(answer).toMatch(/^Logged/);
        return answer;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(text).toMatch(/^Logged INC-1:/);
  });
});

describe("a request that arrives again", () => {
  const actionRows = (teamId: string) => database.db.selectFrom("action").select("number").where("workspace_id", "=", `slack:${teamId}`).execute();

  it("adds one action and tells its owner once when Slack refuses the first reply to /action, and the retried reply says what the first would have", { timeout: 20_000 }, async () => {
    const where = { teamId: "T0ACTAGAIN", channelId: "C0ACTAGAIN", userId: "U0REPORTER" };
    await (await type("/incident", "medication low Missed evening meds", where)).reply();
    fake.failNext("response_url", 1, { kind: "http", status: 500 });
    const added = await type("/action", "INC-1 <@U0OWNER> by friday Check the MAR chart at handover", where);
    expectPromptEmptyAck(added.ack);
    // The first run added A-1 but could not reply; the queue runs the command again after its back-off.
    const reply = await added.reply(10_000);
    expect(reply.text).toMatch(/^Added A-1 for INC-1/);
    expect(everyText(reply)).toContain("Check the MAR chart at handover");
    const [dm] = await fake.waitFor(() => posts("U0OWNER").length >= 1 && posts("U0OWNER"));
    expect(dm!.body.text).toContain("A-1");
    // The queued command has finished (no retry waiting) and the direct message's row is sent: no second reply or DM can come.
    await waitUntilSettled({ db: database.db, workspaceId: where.teamId, prefix });
    expect(fake.responsesTo(added.id)).toHaveLength(1);
    expect(posts("U0OWNER")).toHaveLength(1);
    expect(await actionRows("T0ACTAGAIN")).toEqual([{ number: 1 }]);
  });

  it("answers a retried /action done and /incident close with what the first run said, not that it is already done", { timeout: 30_000 }, async () => {
    const where = { teamId: "T0DONEAGAIN", channelId: "C0DONEAGAIN", userId: "U0REPORTER" };
    await (await type("/incident", "medication low Missed evening meds", where)).reply();
    await (await type("/action", "INC-1 <@U0OWNER> by friday Check the MAR chart at handover", where)).reply();

    fake.failNext("response_url", 1, { kind: "http", status: 500 });
    const done = await (await type("/action", "done A-1 Added to the handover sheet", { ...where, userId: "U0OWNER" })).reply(10_000);
    expect(done.text).toBe("A-1 is done");
    expect(everyText(done)).toContain("A-1 for INC-1: Check the MAR chart at handover is done");

    fake.failNext("response_url", 1, { kind: "http", status: 500 });
    const closed = await (await type("/incident", "close INC-1 Check the MAR chart at every handover", where)).reply(10_000);
    expect(closed.text).toBe("INC-1 is closed, with its lesson recorded.");
  });

  it("logs one incident, announced once, when the same modal is submitted twice at once", { timeout: 20_000 }, async () => {
    const teamId = "T0MODALTWICE";
    await teamSpace(teamId, "C0MODALTWICE");
    const modal = await (await type("/incident", "", { teamId, channelId: "C0MODALTWICE", userId: "U0REPORTER" })).modal();
    const answers = { category: "medication", summary: "Missed evening meds, submitted twice", physical_harm: "none" };
    const submissions = await Promise.all([0, 1].map(() => send(endpoint, viewSubmission({ teamId, userId: "U0REPORTER", view: modal, answers }))));
    for (const submitted of submissions) {
      expect(submitted.json).toMatchObject({ response_action: "update", view: { type: "modal" } });
      expect(everyText(submitted.json)).toContain("Logged INC-1");
    }
    await fake.waitFor(() => posts("C0MODALTWICE").length >= 1);
    // Both submissions were answered, and every delivery row of the workspace is sent or failed: no second announcement can come.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix });
    expect(posts("C0MODALTWICE")).toHaveLength(1);
    const rows = await database.db.selectFrom("incident").select("number").where("workspace_id", "=", `slack:${teamId}`).execute();
    expect(rows).toEqual([{ number: 1 }]);
  });

  it("runs /debrief setup and /debrief lead sent 10 ms apart in the order they were sent, so the lead is set", { timeout: 20_000 }, async () => {
    const teamId = "T0INORDER";
    const where = { teamId, channelId: "C0INORDER", channelName: "team-c0inorder", userId: "UADMIN" };
    // Debrief has met them before, as it has most people: nothing about them to look up delays either command.
    await (await type("/incident", "list", where)).reply();
    const setup = await type("/debrief", "setup", where);
    await sleep(10);
    const lead = await type("/debrief", "lead <@U0LEAD>", where);
    expect(everyText(await setup.reply())).toContain("team space");
    expect(everyText(await lead.reply())).toContain("is now the lead");
    const team = await database.db.selectFrom("team").select("lead_id").where("workspace_id", "=", `slack:${teamId}`).executeTakeFirstOrThrow();
    expect(team.lead_id).toBe(`slack:${teamId}:U0LEAD`);
  });

  it("does not hold a person's next command behind one whose reply Slack refused", { timeout: 20_000 }, async () => {
    const where = { teamId: "T0NOTHELD", channelId: "C0NOTHELD", userId: "U0REPORTER" };
    fake.failNext("response_url", 1, { kind: "http", status: 500 });
    const first = await type("/incident", "list", where);
    await sleep(10);
    const second = await type("/debrief", "help", where);
    const [next] = await fake.waitForResponses(second.id);
    const [retried] = await fake.waitForResponses(first.id, 1, 10_000);
    // The first command ran and only its reply is retried, after a back-off of a second: the next one goes before it.
    expect(next!.at).toBeLessThan(retried!.at);
    expect(everyText(retried!.body)).toContain("No open incidents");
  });
});

// ── a link to Postgres that the test can cut ─────────────────────────────────

interface PostgresLink {
  /** DATABASE_URL through the link. */
  url: string;
  /** "refused": Postgres stopped (connections refused). "hanging": Postgres unreachable (connections never answer). */
  fail(how: "refused" | "hanging"): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of the real Postgres, so a test can take the database away from a running Debrief. */
async function linkTo(databaseUrl: string): Promise<PostgresLink> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let state: "up" | "refused" | "hanging" = "up";

  const relay = (client: Socket) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (state === "hanging") return; // accept, then never answer
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  };

  let server: Server = createServer(relay);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);

  const cutAll = () => sockets.forEach((s) => s.destroy());
  const reopen = () => {
    if (server.listening) return;
    server = createServer(relay);
    server.listen(port, "127.0.0.1");
  };
  return {
    url: url.toString(),
    fail(how) {
      state = how;
      cutAll();
      if (how === "refused") server.close();
      else reopen();
    },
    restore() {
      state = "up";
      reopen();
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
