import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SlackChatPort } from "../../adapters/slack/chat-port.ts";
import { SlackDirectory } from "../../adapters/slack/directory.ts";
import { slackWebClient } from "../../adapters/slack/web-client.ts";
import { PermanentDeliveryError, RateLimitedError } from "../../src/ports.ts";
import { startFakeSlack, type FakeSlack } from "../support/fake-slack.ts";

/** The chat port and directory against a fake Slack Web API: what gets sent, and how Slack's failures come back. */

let fake: FakeSlack;
let port: SlackChatPort;
let directory: SlackDirectory;
const channel = { platform: "slack" as const, workspaceId: "T0001", channelId: "C0INCIDENTS" };
const lead = { platform: "slack" as const, workspaceId: "T0001", userId: "U0LEAD" };
const view = { text: "INC-1 <!channel> & co", title: "INC-1 · Medication", sections: [{ text: "Missed meds <@U1>" }] };

beforeAll(async () => {
  fake = await startFakeSlack({ displayNames: { U0LEAD: "Jo (Registered Manager)" } });
  const client = slackWebClient({ botToken: "xoxb-test", signingSecret: null, appToken: null, apiUrl: fake.url });
  port = new SlackChatPort(client);
  directory = new SlackDirectory(client);
});
afterAll(() => fake?.close());
beforeEach(() => fake.reset());

describe("SlackChatPort", () => {
  it("posts to a channel with escaped fallback text and blocks, without link previews", async () => {
    const ref = await port.postToChannel(channel, view);
    const [call] = fake.callsTo("chat.postMessage");
    expect(call!.token).toBe("xoxb-test");
    expect(call!.body).toMatchObject({ channel: "C0INCIDENTS", text: "INC-1 &lt;!channel&gt; &amp; co", unfurl_links: "false", unfurl_media: "false" });
    expect(JSON.stringify(call!.body.blocks)).toContain("Missed meds &lt;@U1&gt;");
    expect(ref).toEqual({ channelId: "C0INCIDENTS", messageId: expect.stringMatching(/^\d+\.\d{6}$/) });
  });

  it("sends to a person through their DM with the app, and can update what it sent", async () => {
    const ref = await port.sendToPerson(lead, view);
    expect(fake.callsTo("chat.postMessage")[0]!.body.channel).toBe("U0LEAD");
    expect(ref.channelId).toBe("D0LEAD");
    await port.update({ ...ref, workspaceId: "T0001" }, { text: "INC-1 closed" });
    expect(fake.callsTo("chat.update")[0]!.body).toMatchObject({ channel: "D0LEAD", ts: ref.messageId, text: "INC-1 closed" });
  });

  it("turns a 429 into RateLimitedError with Slack's Retry-After, without retrying by itself", async () => {
    fake.failNext("chat.postMessage", 1, { kind: "rate_limited", retryAfterSeconds: 7 });
    const err = await port.postToChannel(channel, view).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect(fake.attemptsAt("chat.postMessage")).toHaveLength(1);
  });

  it("gives up for good on a channel that is gone or that the bot is not in", async () => {
    for (const error of ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"]) {
      fake.failNext("chat.postMessage", 1, { kind: "platform", error });
      const err = await port.postToChannel(channel, view).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentDeliveryError);
      expect((err as Error).message).toContain(error);
    }
  });

  it("gives up for good on an edit of a message that is gone or can no longer be edited", async () => {
    const ref = { workspaceId: "T0001", channelId: "C0INCIDENTS", messageId: "1700000000.000100" };
    for (const error of ["message_not_found", "cant_update_message", "edit_window_closed"]) {
      fake.failNext("chat.update", 1, { kind: "platform", error });
      const err = await port.update(ref, view).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentDeliveryError);
      expect((err as Error).message).toContain(error);
    }
    fake.failNext("chat.update", 1, { kind: "rate_limited", retryAfterSeconds: 3 });
    expect(await port.update(ref, view).catch((e: unknown) => e)).toBeInstanceOf(RateLimitedError);
  });

  it("leaves other failures for delivery to retry", async () => {
    fake.failNext("chat.postMessage", 1, { kind: "http", status: 503 });
    const err = await port.postToChannel(channel, view).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
    expect((err as { code?: string }).code).toBe("slack_webapi_http_error");
    expect(fake.attemptsAt("chat.postMessage")).toHaveLength(1);

    fake.failNext("chat.postMessage", 1, { kind: "platform", error: "internal_error" });
    expect(await port.postToChannel(channel, view).catch((e: unknown) => e)).not.toBeInstanceOf(PermanentDeliveryError);
  });

  it("tags a post with its key, and finds it again by that key, page by page past newer messages", async () => {
    const since = new Date();
    const ref = await port.postToChannel(channel, view, { key: "incident-1-announce" });
    expect(fake.callsTo("chat.postMessage")[0]!.body.metadata).toEqual({ event_type: "debrief_delivery", event_payload: { key: "incident-1-announce" } });
    // 150 messages after it: the second page of history (100 a page) has it.
    for (let i = 0; i < 150; i++) fake.post({ channel: channel.channelId, text: `chatter ${i}`, ...(i % 2 ? { metadata: { event_type: "other_app", event_payload: { key: "incident-1-announce" } } } : {}) });
    expect(await port.findPosted(channel, "incident-1-announce", since)).toEqual(ref);
    expect(fake.callsTo("conversations.history").map((c) => Boolean(c.body.cursor))).toEqual([false, true]);

    expect(await port.findPosted(channel, "incident-2-announce", since)).toBeUndefined();
    // A send long after the message: it is not looked for before a minute ahead of that send.
    expect(await port.findPosted(channel, "incident-1-announce", new Date(Date.now() + 120_000))).toBeUndefined();
  });

  it("finds a direct message in the person's DM with the app", async () => {
    const ref = await port.sendToPerson(lead, view, { key: "you-lead" });
    expect(await port.findPosted(lead, "you-lead", new Date(Date.now() - 5 * 60_000))).toEqual(ref);
    expect(fake.callsTo("conversations.open")[0]!.body.users).toBe("U0LEAD");
    expect(fake.callsTo("conversations.history")[0]!.body).toMatchObject({ channel: "D0LEAD", include_all_metadata: "true" });

    fake.failNext("conversations.history", 1, { kind: "rate_limited", retryAfterSeconds: 2 });
    expect(await port.findPosted(lead, "you-lead", new Date()).catch((e: unknown) => e)).toBeInstanceOf(RateLimitedError);
  });
});

describe("SlackDirectory", () => {
  it("names people by their Slack display name and gives their time zone, asking Slack once for a while", async () => {
    const [a, b] = await Promise.all([directory.profile(lead), directory.profile(lead)]);
    expect(a).toEqual({ displayName: "Jo (Registered Manager)", timeZone: "Europe/London", isAdmin: false });
    expect(b).toEqual(a);
    expect(await directory.profile(lead)).toEqual(a);
    expect(fake.callsTo("users.info")).toHaveLength(1);
  });

  it("falls back to the real name when there is no display name, and forgets failures", async () => {
    const person = { ...lead, userId: "U0NONAME" };
    fake.failNext("users.info", 1, { kind: "http", status: 500 });
    await expect(directory.profile(person)).rejects.toThrow();
    expect(await directory.profile(person)).toEqual({ displayName: "Person U0NONAME", timeZone: "Europe/London", isAdmin: false });
  });

  it("takes a Slack workspace admin as an admin", async () => {
    fake.admins.add("U0WSADMIN");
    expect(await directory.profile({ ...lead, userId: "U0WSADMIN" })).toMatchObject({ isAdmin: true });
  });

  it("takes a Slack workspace owner who is not marked admin as an admin too", async () => {
    fake.owners.add("U0WSOWNER");
    expect(await directory.profile({ ...lead, userId: "U0WSOWNER" })).toMatchObject({ isAdmin: true });
  });
});
