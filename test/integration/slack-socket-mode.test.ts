import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { startDebrief } from "../../src/main.ts";
import type { Running } from "../../src/runtime.ts";
import { startFakeSlack, type FakeSlack } from "../support/fake-slack.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { slashCommand, viewSubmission, type SlashCommandOptions } from "../support/slack-requests.ts";
import { silentLog } from "../support/fakes.ts";
import { waitUntilSettled } from "../support/settled.ts";

/**
 * Debrief over Socket Mode, end to end: the real runtime with SLACK_APP_TOKEN and no signing secret, Postgres and
 * Redis, and the fake Slack acting as Slack's Socket Mode service. It hands out a WebSocket URL from
 * apps.connections.open, says hello, sends envelopes shaped as Slack sends them, and records what the app acks.
 */

const APP_TOKEN = "xapp-1-A0DEBRIEF-1-abcdef";

let fake: FakeSlack;
let database: TestDatabase;
let prefix: string;
let running: Running;

beforeAll(async () => {
  fake = await startFakeSlack({ displayNames: { U0REPORTER: "Sam" } });
  database = await createTestDatabase();
  prefix = uniquePrefix();
  const config = readConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: fake.url,
    PORT: "0",
  });
  running = await startDebrief(config, { role: "all", log: silentLog });
});

afterAll(async () => {
  await running?.stop();
  await database?.drop();
  if (prefix) await clearPrefix(prefix);
  await fake?.close();
});

let seq = 0;

/** Types a slash command in Slack, delivered over the WebSocket; `reply()` waits for the answer at the response_url. */
async function type(command: string, text: string, options: SlashCommandOptions = {}) {
  const id = `socket-${++seq}`;
  const request = slashCommand({ command, text, responseUrl: fake.responseUrl(id), ...options });
  const sent = performance.now();
  const ack = await fake.socketMode.send("slash_commands", request.payload);
  return {
    ack,
    ackMs: performance.now() - sent,
    triggerId: request.payload.trigger_id!,
    reply: async () => (await fake.waitForResponses(id, 1, 10_000))[0]!.body,
  };
}

describe("Slack over Socket Mode", () => {
  it("connects with the app token through SLACK_API_URL and serves no Slack route over HTTP", async () => {
    const [opened] = fake.callsTo("apps.connections.open");
    expect(opened!.token).toBe(APP_TOKEN);
    expect(fake.socketMode.connections()).toBe(1);
    const events = await fetch(`http://127.0.0.1:${running.port}/slack/events`, { method: "POST", body: "{}" });
    expect(events.status).toBe(404);
  });

  it("acknowledges a quick log over the socket, replies through the response_url and announces it once", async () => {
    const where = { teamId: "T0001", channelId: "C0SOCKET", channelName: "oak-house", userId: "U0REPORTER" };
    const setup = await type("/debrief", "setup", { ...where, userId: "UADMIN" });
    expect(setup.ack).toEqual({});
    expect(JSON.stringify(await setup.reply())).toContain("team space");

    const logged = await type("/incident", "medication low Missed evening meds at Oak House", where);
    expect(logged.ack).toEqual({});
    expect(logged.ackMs).toBeLessThan(3000);
    const reply = await logged.reply();
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toBe("Logged INC-1: Missed evening meds at Oak House");

    const posts = () => fake.callsTo("chat.postMessage").filter((c) => c.body.channel === "C0SOCKET");
    const [announcement] = await fake.waitFor(() => posts().length >= 1 && posts(), 10_000);
    expect(announcement!.body.text).toBe("INC-1 · Medication: Missed evening meds at Oak House");
    // No command is left to run and every delivery row of the workspace is sent or failed: no second post can come.
    await waitUntilSettled({ db: database.db, workspaceId: where.teamId, prefix });
    expect(posts()).toHaveLength(1);
  });

  it("opens the form with the command's trigger_id, and keeps it open with errors beside the inputs when invalid", async () => {
    const where = { teamId: "T0001", channelId: "C0SOCKET", userId: "U0REPORTER" };
    const opened = await type("/incident", "", where);
    expect(opened.ack).toEqual({});
    const call = await fake.waitFor(() => fake.callsTo("views.open").find((c) => c.body.trigger_id === opened.triggerId));
    const modal = call.body.view as Record<string, any>;
    expect(modal).toMatchObject({ type: "modal", callback_id: "incident.new" });

    const invalid = viewSubmission({ teamId: "T0001", userId: "U0REPORTER", view: modal, answers: { summary: "" } });
    const ack = await fake.socketMode.send("interactive", invalid.payload);
    expect(ack).toMatchObject({ response_action: "errors", errors: { category: expect.any(String), summary: expect.any(String) } });
  });
});
