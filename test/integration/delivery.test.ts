import { Redis } from "ioredis";
import { Duration } from "luxon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { createDeliveryQueue, DELIVERY_QUEUE, deliveryJobId, type DeliveryQueue, type DeliveryQueueOptions } from "../../jobs/delivery-queue.ts";
import { reconcileDeliveries } from "../../jobs/delivery-reconcile.ts";
import { startDeliveryWorker, type DeliveryWorkerOptions } from "../../jobs/delivery-worker.ts";
import { startPeriodicJobs } from "../../jobs/periodic.ts";
import { recordDeliveries, reviseDelivery, type DeliveryRequest } from "../../src/delivery/outbox.ts";
import type { Conversation } from "../../src/platform.ts";
import {
  PermanentDeliveryError,
  RateLimitedError,
  type ChannelRef,
  type ChatPort,
  type MessageRef,
  type PersonRef,
} from "../../src/ports.ts";
import type { MessageView } from "../../src/views/view.ts";
import { readFileSync } from "node:fs";
import { renderMessage } from "../../adapters/console/render.ts";
import { DELIVERY_EVENT_TYPE, SlackChatPort } from "../../adapters/slack/chat-port.ts";
import { toMessage } from "../../adapters/slack/render.ts";
import { slackWebClient } from "../../adapters/slack/web-client.ts";
import { startFakeSlack, type FakeSlack } from "../support/fake-slack.ts";
import type { Action } from "../../src/domain/action.ts";
import { actionAssignedView, actionTakenView } from "../../src/views/action-views.ts";
import { youLeadView } from "../../src/views/role-views.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { deferred, waitFor } from "../support/wait.ts";
import { silentLog } from "../support/fakes.ts";

interface Call {
  kind: "person" | "channel" | "update";
  target: string;
  text: string;
  at: number;
}

/** A chat platform that records every call; `failWith(n)` says how its n-th call (from 0) fails, if it does. */
class FakeChat implements ChatPort {
  readonly tries: Call[] = [];
  readonly sent: Call[] = [];
  constructor(private readonly failWith: (call: number) => Error | undefined = () => undefined) {}

  async sendToPerson(person: PersonRef, view: MessageView): Promise<MessageRef> {
    return this.take({ kind: "person", target: person.userId, text: view.text, at: Date.now() });
  }
  async postToChannel(channel: ChannelRef, view: MessageView): Promise<MessageRef> {
    return this.take({ kind: "channel", target: channel.channelId, text: view.text, at: Date.now() });
  }
  /** Recorded with the message it edits as `channel/messageId`. */
  async update(ref: MessageRef & { workspaceId: string }, view: MessageView): Promise<void> {
    this.take({ kind: "update", target: `${ref.channelId}/${ref.messageId}`, text: view.text, at: Date.now() });
  }

  private take(call: Call): MessageRef {
    const failure = this.failWith(this.tries.length);
    this.tries.push(call);
    if (failure) throw failure;
    this.sent.push(call);
    return { channelId: call.kind === "person" ? `D-${call.target}` : call.target, messageId: `m${this.sent.length}` };
  }
}

const WORKSPACE = "T1";
const log = silentLog;

const toChannel = (dedupeKey: string, channelId = "C1"): DeliveryRequest => ({
  dedupeKey,
  target: { kind: "channel", channel: { platform: "slack", workspaceId: WORKSPACE, channelId } },
  view: { text: `announce ${dedupeKey}` },
});
const toPerson = (dedupeKey: string, userId: string): DeliveryRequest => ({
  dedupeKey,
  target: { kind: "person", person: { platform: "slack", workspaceId: WORKSPACE, userId } },
  view: { text: `dm ${dedupeKey}` },
});

let database: TestDatabase;
let prefix: string;
let redis: Redis;
let closers: Array<() => Promise<void>>;

beforeEach(async () => {
  database = await createTestDatabase();
  prefix = uniquePrefix();
  redis = new Redis(REDIS_URL);
  closers = [];
});

afterEach(async () => {
  for (const close of closers.reverse()) await close(); // last opened first: workers stop before their queues
  await redis.quit();
  await clearPrefix(prefix);
  await database.drop();
});

function openQueue(options: Partial<DeliveryQueueOptions> = {}): DeliveryQueue {
  const queue = createDeliveryQueue({ db: database.db, connection: redis, prefix, backoffMs: 20, ...options });
  closers.push(() => queue.close());
  return queue;
}

function startWorker(chat: ChatPort, options: Partial<DeliveryWorkerOptions> = {}): void {
  const worker = startDeliveryWorker({ db: database.db, connection: redis, prefix, ports: { slack: chat }, log, ...options });
  closers.push(() => worker.close());
}

/** Slack paced to one message per `ms` in each conversation; 0 leaves it unpaced. */
const gap = (ms: number): Partial<DeliveryWorkerOptions> => ({ pacing: { slack: () => ({ perSecond: 1000 / ms }) } });

async function record(...requests: DeliveryRequest[]): Promise<string[]> {
  return recordDeliveries(database.db, requests);
}

/** Leaves a row as the worker does once the platform has the message. */
const markSent = (id: string, channelId: string, messageId: string) =>
  database.db.updateTable("delivery").set({ status: "sent", sent_at: new Date(), message_channel_id: channelId, message_id: messageId }).where("id", "=", id).execute();

const rowOf = (id: string) => database.db.selectFrom("delivery").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

const statusOf = async (id: string) => (await rowOf(id)).status;

/** Resolves once nothing is waiting, delayed or running: whatever was going to be sent has been. */
const drained = (queue: DeliveryQueue) => waitFor(async () => (await queue.depth()) === 0);

/** The delivery queue as BullMQ shows it, to look at a job or put a stray one there. */
function rawQueue(): Queue {
  const queue = new Queue(DELIVERY_QUEUE, { connection: redis, prefix });
  closers.push(() => queue.close());
  return queue;
}

describe("outbound delivery", () => {
  it("sends a recorded announcement and DM once and stores where they landed", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat);
    const ids = await record(toChannel("incident-1-announce"), toPerson("incident-1-lead", "U9"));
    await queue.schedule(ids);

    await waitFor(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "sent"));
    expect(chat.sent.map(({ kind, target, text }) => ({ kind, target, text })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: "channel", target: "C1", text: "announce incident-1-announce" },
      { kind: "person", target: "U9", text: "dm incident-1-lead" },
    ]);
    const [announce, dm] = await Promise.all(ids.map(rowOf));
    expect(announce).toMatchObject({ status: "sent", attempts: 1, last_error: null, message_channel_id: "C1" });
    expect(dm).toMatchObject({ status: "sent", attempts: 1, message_channel_id: "D-U9" });
    expect(announce?.message_id).toMatch(/^m\d$/);
    expect(announce?.sent_at).toBeInstanceOf(Date);
  });

  it("sends once however often the same message is recorded or scheduled", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    const ids = await record(toChannel("incident-2-announce"));
    expect(await record(toChannel("incident-2-announce"))).toEqual([]);
    await Promise.all([queue.schedule(ids), queue.schedule(ids), queue.schedule(ids)]);
    expect(await queue.depth()).toBe(1);
    startWorker(chat);

    await waitFor(async () => (await statusOf(ids[0]!)) === "sent");
    await queue.schedule(ids); // its job is gone once done, so this queues again; the worker must see it was sent
    await drained(queue);
    expect(chat.tries).toHaveLength(1);
  });

  it("waits out the platform's Retry-After without spending an attempt", async () => {
    const chat = new FakeChat((n) => (n === 0 ? new RateLimitedError(300) : undefined));
    const queue = openQueue({ attempts: 1 }); // a counted attempt would fail the job outright
    startWorker(chat, gap(50));
    const ids = await record(toChannel("incident-3-announce"));
    await queue.schedule(ids);

    await waitFor(async () => (await statusOf(ids[0]!)) === "sent");
    expect(chat.tries).toHaveLength(2);
    expect(chat.sent).toHaveLength(1);
    expect(chat.sent[0]!.at - chat.tries[0]!.at).toBeGreaterThanOrEqual(295);
    expect(await rowOf(ids[0]!)).toMatchObject({ status: "sent", last_error: null });
  });

  it("retries a platform outage with backoff and sends once", async () => {
    const chat = new FakeChat((n) => (n < 2 ? new Error("503 Service Unavailable") : undefined));
    const queue = openQueue({ backoffMs: 20 });
    startWorker(chat, gap(20)); // each try takes a channel slot; keep them short here
    const ids = await record(toChannel("incident-4-announce"));
    await queue.schedule(ids);

    await waitFor(async () => (await statusOf(ids[0]!)) === "sent");
    expect(chat.tries).toHaveLength(3);
    expect(chat.sent).toHaveLength(1);
    expect(await rowOf(ids[0]!)).toMatchObject({ status: "sent", attempts: 3, last_error: null });
  });

  it("marks a message failed once its last attempt fails", async () => {
    const chat = new FakeChat(() => new Error("socket hang up"));
    const queue = openQueue({ attempts: 3, backoffMs: 10 });
    startWorker(chat, gap(20));
    const ids = await record(toChannel("incident-5-announce"));
    await queue.schedule(ids);

    await waitFor(async () => (await statusOf(ids[0]!)) === "failed");
    await drained(queue);
    expect(chat.tries).toHaveLength(3);
    expect(await rowOf(ids[0]!)).toMatchObject({ status: "failed", attempts: 3, last_error: "socket hang up" });
  });

  it("never retries a message the platform can never take", async () => {
    const chat = new FakeChat(() => new PermanentDeliveryError("channel_not_found"));
    const queue = openQueue();
    startWorker(chat);
    const ids = await record(toChannel("incident-6-announce"));
    await queue.schedule(ids);

    await waitFor(async () => (await statusOf(ids[0]!)) === "failed");
    await drained(queue);
    expect(chat.tries).toHaveLength(1);
    expect(await rowOf(ids[0]!)).toMatchObject({ status: "failed", attempts: 1, last_error: "channel_not_found" });
  });

  it("spaces posts to one channel by the channel gap", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat, gap(200));
    const ids = await record(...[1, 2, 3, 4, 5].map((n) => toChannel(`incident-${n}-announce`)));
    await queue.schedule(ids);

    await waitFor(() => chat.sent.length === 5, { timeoutMs: 10_000 });
    const times = chat.sent.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(190);
    await drained(queue);
    expect(chat.tries).toHaveLength(5);
  });

  it("does not hold a channel or person back for another channel's pace", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat, gap(2_000));
    const ids = await record(toChannel("a", "C1"), toChannel("b", "C2"), toPerson("c", "U1"), toPerson("d", "U2"));
    await queue.schedule(ids);

    await waitFor(() => chat.sent.length === 4);
    const times = chat.sent.map((c) => c.at);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(1_000);
  });

  it("re-queues pending messages after Redis loses its jobs, and sends each once", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    const ids = await record(toChannel("x", "C1"), toChannel("y", "C2"), toPerson("z", "U1"));
    await queue.schedule(ids);
    await clearPrefix(prefix); // what FLUSHALL or a restart without persistence does to our keys
    expect(await queue.depth()).toBe(0);
    startWorker(chat);

    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 3, recovered: 0 });
    await waitFor(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "sent"));
    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 0, recovered: 0 });
    await drained(queue);
    expect(chat.sent.map((c) => c.target).sort()).toEqual(["C1", "C2", "U1"]);
  });

  it("sends again what a crashed worker left sending, but not what a live one is sending", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    const [stuck, inFlight] = (await record(toChannel("stuck", "C1"), toChannel("in-flight", "C2"))) as [string, string];
    await database.db
      .updateTable("delivery")
      .set({ status: "sending", attempts: 1, claimed_at: new Date(Date.now() - 10 * 60_000) })
      .where("id", "=", stuck)
      .execute();
    await database.db.updateTable("delivery").set({ status: "sending", attempts: 1, claimed_at: new Date() }).where("id", "=", inFlight).execute();
    startWorker(chat);

    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 1, recovered: 1 });
    await waitFor(async () => (await statusOf(stuck)) === "sent");
    await queue.schedule([inFlight]); // a stray job for a claimed row must not send it a second time
    await drained(queue);
    expect(chat.sent.map((c) => c.target)).toEqual(["C1"]);
    expect(await rowOf(stuck)).toMatchObject({ status: "sent", attempts: 2 });
    expect(await statusOf(inFlight)).toBe("sending");
  });

  it("runs reconcile on a schedule, and keeps scheduling it after Redis is flushed", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat);
    let runs = 0;
    const scheduler = startPeriodicJobs({
      connection: redis,
      prefix,
      settings: { sweepEvery: Duration.fromMillis(150) },
      log,
      jobs: [
        {
          name: "delivery-reconcile",
          every: (settings) => settings.sweepEvery,
          run: async () => {
            runs++;
            await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 });
          },
        },
      ],
    });
    closers.push(() => scheduler.close());

    await waitFor(() => runs >= 1);
    await clearPrefix(prefix);
    const ids = await record(toChannel("after-flush")); // recorded, never scheduled: only reconcile can send it
    const runsAtFlush = runs;
    await waitFor(async () => (await statusOf(ids[0]!)) === "sent");
    expect(runs).toBeGreaterThan(runsAtFlush);
    expect(chat.sent).toHaveLength(1);
  });
});

describe("a message that waits until a time", () => {
  const inASecond = () => new Date(Date.now() + 1000);

  it("is queued to wait, not sent before its time, and sent once after", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat);
    const notBefore = inASecond();
    const [id] = (await record({ ...toChannel("reflection-1-prompt"), notBefore })) as [string];
    await queue.schedule([id]);
    expect(await rawQueue().getJobState(deliveryJobId(id))).toBe("delayed");

    await waitFor(async () => (await statusOf(id)) === "sent");
    await drained(queue);
    expect(chat.tries).toHaveLength(1);
    expect(chat.sent[0]!.at).toBeGreaterThanOrEqual(notBefore.getTime());
    expect(await rowOf(id)).toMatchObject({ status: "sent", attempts: 1, not_before: notBefore });
  });

  it("waits for its time when a stray job picks it early, without spending an attempt", async () => {
    const chat = new FakeChat();
    const queue = openQueue({ attempts: 1 }); // a counted attempt would fail the job outright
    startWorker(chat);
    const notBefore = inASecond();
    const [id] = (await record({ ...toChannel("reflection-2-prompt"), notBefore })) as [string];
    await rawQueue().add("deliver", { deliveryId: id }, { jobId: deliveryJobId(id), attempts: 1, removeOnComplete: true });

    await waitFor(async () => (await statusOf(id)) === "sent");
    await drained(queue);
    expect(chat.tries).toHaveLength(1);
    expect(chat.sent[0]!.at).toBeGreaterThanOrEqual(notBefore.getTime());
    expect(await rowOf(id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("is still sent once, at its time, after Redis loses its job", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    const notBefore = inASecond();
    const [id] = (await record({ ...toChannel("reflection-3-prompt"), notBefore })) as [string];
    await queue.schedule([id]);
    await clearPrefix(prefix); // what FLUSHALL or a restart without persistence does to our keys
    expect(await queue.depth()).toBe(0);
    startWorker(chat);

    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 1, recovered: 0 });
    expect(await rawQueue().getJobState(deliveryJobId(id))).toBe("delayed");
    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 1, recovered: 0 });
    await waitFor(async () => (await statusOf(id)) === "sent");
    await drained(queue);
    expect(chat.tries).toHaveLength(1);
    expect(chat.sent[0]!.at).toBeGreaterThanOrEqual(notBefore.getTime());
  });
});

describe("pacing per conversation", () => {
  it("sends one conversation's messages in order at its pace, without holding up another channel or a DM", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat, { pacing: { slack: () => ({ perSecond: 3 }) } });
    const first = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => toChannel(`c1-${n}`, "C1"));
    const others = [1, 2, 3].flatMap((n) => [toChannel(`c2-${n}`, "C2"), toPerson(`u1-${n}`, "U1")]);
    const ids = await record(...first, ...others);
    await queue.schedule(ids);

    await waitFor(() => chat.sent.length === ids.length, { timeoutMs: 15_000 });
    const textsTo = (target: string) => chat.sent.filter((c) => c.target === target).map((c) => c.text);
    expect(textsTo("C1")).toEqual(first.map((r) => r.view.text));
    expect(textsTo("C2")).toEqual(["announce c2-1", "announce c2-2", "announce c2-3"]);
    expect(textsTo("U1")).toEqual(["dm u1-1", "dm u1-2", "dm u1-3"]);
    // Queued after all nine, yet out before the last of them: another conversation has a pace of its own.
    const lastToC1 = chat.sent.findLastIndex((c) => c.target === "C1");
    chat.sent.forEach((c, i) => {
      if (c.target !== "C1") expect(i).toBeLessThan(lastToC1);
    });
    await drained(queue);
    expect(chat.tries).toHaveLength(ids.length);
  });

  it("paces each platform as its adapter says, by conversation, burst included (Teams beside Slack)", async () => {
    const slack = new FakeChat();
    const teams = new FakeChat();
    const asked: Conversation[] = [];
    const queue = openQueue();
    startWorker(slack, {
      ports: { slack, teams },
      pacing: {
        // One every 2 s, no burst (Slack-like, slowed so the order below has seconds to spare).
        slack: (c) => (asked.push(c), { perSecond: 0.5 }),
        // The same steady rate, but three may go back to back (Teams allows bursts per conversation).
        teams: (c) => (asked.push(c), { perSecond: 0.5, burst: 3 }),
      },
    });
    // The same channel id on both platforms: two conversations, each with a pace of its own.
    const onTeams = (r: DeliveryRequest): DeliveryRequest =>
      r.target.kind === "channel" ? { ...r, target: { kind: "channel", channel: { ...r.target.channel, platform: "teams" } } } : r;
    const toSlack = [1, 2, 3].map((n) => toChannel(`slack-${n}`, "C1"));
    const toTeams = [1, 2, 3, 4].map((n) => onTeams(toChannel(`teams-${n}`, "C1")));
    const ids = await record(...toSlack, ...toTeams);
    await queue.schedule(ids);

    await waitFor(() => slack.sent.length === 3 && teams.sent.length === 4, { timeoutMs: 15_000 });
    const gaps = (calls: Call[]) => calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    expect(slack.sent.map((c) => c.text)).toEqual(toSlack.map((r) => r.view.text));
    expect(teams.sent.map((c) => c.text)).toEqual(toTeams.map((r) => r.view.text));
    // Slack's: one at a time, each at least its interval (2 s, a tenth under) after the one before.
    for (const gap of gaps(slack.sent)) expect(gap).toBeGreaterThanOrEqual(1_900);
    // Teams': the burst of three went before Slack could send its second; the fourth waited for a token.
    expect(teams.sent[2]!.at).toBeLessThan(slack.sent[1]!.at);
    expect(teams.sent[3]!.at - teams.sent[0]!.at).toBeGreaterThanOrEqual(1_900);
    // Each platform's pacing was asked about its own conversations only.
    expect(new Set(asked.map((c) => `${c.platform}:${c.workspaceId}:${c.kind}:${c.id}`))).toEqual(new Set([`slack:${WORKSPACE}:channel:C1`, `teams:${WORKSPACE}:channel:C1`]));
    await drained(queue);
    expect(slack.tries).toHaveLength(3);
    expect(teams.tries).toHaveLength(4);
  });
});

describe("editing a message already sent", () => {
  const restricted: MessageView = { text: "INC-1 · restricted" };

  it("edits the message where it landed, once", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat, gap(50));
    const [original] = (await record(toChannel("incident-1-announce"))) as [string];
    await queue.schedule([original]);
    await waitFor(async () => (await statusOf(original)) === "sent");
    const { message_channel_id, message_id } = await rowOf(original);

    const edits = await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted");
    expect(edits).toHaveLength(1);
    expect(await rowOf(edits[0]!)).toMatchObject({ target_kind: "message", target_id: original, status: "pending" });
    await queue.schedule(edits);
    await waitFor(async () => (await statusOf(edits[0]!)) === "sent");
    await queue.schedule(edits); // a stray second job must not edit again
    expect(await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted")).toEqual([]);
    await drained(queue);

    expect(chat.sent.filter((c) => c.kind === "update")).toEqual([
      { kind: "update", target: `${message_channel_id}/${message_id}`, text: "INC-1 · restricted", at: expect.any(Number) },
    ]);
    expect(await rowOf(edits[0]!)).toMatchObject({ status: "sent", attempts: 1, message_channel_id, message_id });
    expect((await rowOf(original)).view).toEqual({ text: "announce incident-1-announce" }); // what was first posted
  });

  it("rewrites a message not yet sent instead of editing it", async () => {
    const [original] = (await record(toChannel("incident-1-announce"))) as [string];
    expect(await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted")).toEqual([]);
    expect(await rowOf(original)).toMatchObject({ status: "pending", view: restricted });
  });

  it("waits while the message it edits is still being sent, then edits it once", async () => {
    const chat = new FakeChat();
    const queue = openQueue({ attempts: 1 }); // waiting must not spend an attempt
    startWorker(chat, { ...gap(20), editWaitMs: 50 });
    const [original] = (await record(toChannel("incident-1-announce"))) as [string];
    // Claimed by a worker that is still talking to the platform.
    await database.db.updateTable("delivery").set({ status: "sending", attempts: 1, claimed_at: new Date() }).where("id", "=", original).execute();

    const edits = await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted");
    // The claimed row's view is rewritten too, so a retry of that send would post the restricted words.
    expect(await rowOf(original)).toMatchObject({ status: "sending", view: restricted });
    await queue.schedule(edits);
    // The worker has looked at the edit when its job is back waiting (delayed) rather than queued to start.
    const jobs = new Queue(DELIVERY_QUEUE, { connection: redis, prefix });
    closers.push(() => jobs.close());
    await waitFor(async () => (await (await jobs.getJob(deliveryJobId(edits[0]!)))?.getState()) === "delayed");
    expect(chat.tries).toEqual([]);
    expect(await statusOf(edits[0]!)).toBe("pending");

    await markSent(original, "C1", "1700000000.000100");
    await waitFor(async () => (await statusOf(edits[0]!)) === "sent");
    await drained(queue);
    expect(chat.tries.map(({ kind, target }) => ({ kind, target }))).toEqual([{ kind: "update", target: "C1/1700000000.000100" }]);
  });

  it("gives up without calling the platform when the message it edits was never sent", async () => {
    const chat = new FakeChat();
    const queue = openQueue();
    startWorker(chat, { editWaitMs: 50 });
    const [original] = (await record(toChannel("incident-1-announce"))) as [string];
    await database.db.updateTable("delivery").set({ status: "sending", attempts: 1, claimed_at: new Date() }).where("id", "=", original).execute();
    const edits = await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted");
    await queue.schedule(edits);
    await database.db.updateTable("delivery").set({ status: "failed", last_error: "channel_not_found" }).where("id", "=", original).execute();

    await waitFor(async () => (await statusOf(edits[0]!)) === "failed");
    await drained(queue);
    expect(chat.tries).toEqual([]);
    expect(await rowOf(edits[0]!)).toMatchObject({ attempts: 0, last_error: "the message it edits was never sent" });
    expect(await reviseDelivery(database.db, "incident-1-announce", restricted, "again")).toEqual([]); // a failed post has nothing to edit
  });

  it("marks an edit failed, without retrying, when the message is gone", async () => {
    const chat = new FakeChat(() => new PermanentDeliveryError("Slack refused the message: message_not_found"));
    const queue = openQueue();
    startWorker(chat);
    const [original] = (await record(toChannel("incident-1-announce"))) as [string];
    await markSent(original, "C1", "1700000000.000100");
    const edits = await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted");
    await queue.schedule(edits);

    await waitFor(async () => (await statusOf(edits[0]!)) === "failed");
    await drained(queue);
    expect(chat.tries.map((c) => c.kind)).toEqual(["update"]);
    expect(await rowOf(edits[0]!)).toMatchObject({ status: "failed", attempts: 1, last_error: "Slack refused the message: message_not_found" });
  });

  it("waits out Retry-After on an edit and holds the channel's posts back with it", async () => {
    const chat = new FakeChat((n) => (n === 0 ? new RateLimitedError(300) : undefined));
    const queue = openQueue({ attempts: 1 });
    startWorker(chat, gap(50));
    const [original] = (await record(toChannel("incident-1-announce"))) as [string];
    await markSent(original, "C1", "1700000000.000100");
    const edits = await reviseDelivery(database.db, "incident-1-announce", restricted, "incident-1-announce-restricted");
    await queue.schedule(edits);
    await waitFor(() => chat.tries.length === 1);
    const next = await record(toChannel("incident-2-announce"));
    await queue.schedule(next);

    await waitFor(async () => (await statusOf(edits[0]!)) === "sent" && (await statusOf(next[0]!)) === "sent");
    const [limited, ...after] = chat.tries;
    expect(limited!.kind).toBe("update");
    for (const call of after) expect(call.at - limited!.at).toBeGreaterThanOrEqual(295);
    expect(chat.sent.map((c) => c.kind).sort()).toEqual(["channel", "update"]);
  });
});


describe("messages stored by an earlier release", () => {
  /** Renders what it is given as Slack and the console would show it. */
  class RenderingChat implements ChatPort {
    readonly shown: { slack: ReturnType<typeof toMessage>; console: string[] }[] = [];
    async sendToPerson(_person: PersonRef, view: MessageView): Promise<MessageRef> {
      this.shown.push({ slack: toMessage(view), console: renderMessage(view) });
      return { channelId: "D1", messageId: `m${this.shown.length}` };
    }
    postToChannel(_channel: ChannelRef, view: MessageView): Promise<MessageRef> {
      return this.sendToPerson({ platform: "slack", workspaceId: WORKSPACE, userId: "-" }, view);
    }
    async update(): Promise<void> {}
  }

  // Direct messages as the release before display names and command spans stored them (made with its own views).
  const before = JSON.parse(readFileSync(new URL("../fixtures/stored-views/before-names-and-commands.json", import.meta.url), "utf8")) as Record<
    "actionAssigned" | "actionTaken" | "youLead",
    MessageView
  >;
  const action: Action = {
    id: 7,
    workspaceId: "slack:T0001",
    ref: "A-7",
    incidentId: 3,
    incidentRef: "INC-3",
    title: "Update the risk assessment",
    ownerId: "slack:T0001:U0CARER",
    dueAt: new Date("2026-11-27T17:00:00Z"),
    status: "open",
    doneNote: null,
    doneAt: null,
    createdBy: "slack:T0001:U0LEAD",
    createdAt: new Date("2026-11-25T10:00:00Z"),
    ownerExtendedAt: null,
    cancelReason: null,
  };
  const lead = { userId: "U0LEAD", name: "Lee Lead" };
  const now = new Date("2026-11-25T12:00:00Z");
  const madeNow = {
    actionAssigned: actionAssignedView(action, lead, "Europe/London", now),
    actionTaken: actionTakenView(action, { userId: "U0NURSE", name: "Nia Nurse" }, lead),
    youLead: youLeadView("oak-house", { userId: "U0ADMIN", name: "Ada Admin" }),
  };

  it("posts a pending message stored before names and commands were in views just as the same message made now reads", async () => {
    const chat = new RenderingChat();
    const queue = openQueue();
    startWorker(chat, gap(0));
    const keys = ["actionAssigned", "actionTaken", "youLead"] as const;
    const ids = await record(...keys.map((key) => ({ ...toPerson(`old-${key}`, "U0CARER"), view: before[key] })));
    await queue.schedule(ids);
    await waitFor(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "sent"));

    // Sent side by side, so in any order.
    const byText = (shown: RenderingChat["shown"]) => [...shown].sort((a, b) => a.slack.text.localeCompare(b.slack.text));
    const rendered = keys.map((key) => ({ slack: toMessage(madeNow[key]), console: renderMessage(madeNow[key]) }));
    expect(byText(chat.shown)).toEqual(byText(rendered));
    // The same words, from a different shape: the new views name people and mark commands.
    expect(JSON.stringify(madeNow.actionAssigned)).toContain('"command":"action done A-7 [note]"');
    expect(JSON.stringify(madeNow.actionTaken)).toContain('"name":"Nia Nurse"');
    expect(JSON.stringify(before)).not.toMatch(/"name"|"command"/);
    expect(chat.shown.find((m) => m.slack.text.startsWith("You have a new action"))!.console.at(-1)).toBe(
      "When it's done: /action done A-7 [note]. If it can't be done in time: /action extend A-7 <when>.",
    );
  });
});

describe("a message whose send was cut short (Slack)", () => {
  // The real Slack chat port against the fake Slack, which keeps what was posted and answers conversations.history.
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack({ teamId: WORKSPACE });
    closers.push(() => fake.close());
  });
  const slackPort = () => new SlackChatPort(slackWebClient({ botToken: "xoxb-test", signingSecret: null, appToken: null, apiUrl: fake.url }));
  const tag = (key: string) => ({ event_type: DELIVERY_EVENT_TYPE, event_payload: { key } });

  /** Leaves rows as a worker killed mid-send does: `sending`, claimed long enough ago to be reclaimed. */
  async function leftSending(ids: string[], claimedAt = new Date(Date.now() - 10 * 60_000)): Promise<void> {
    await database.db.updateTable("delivery").set({ status: "sending", attempts: 1, claimed_at: claimedAt }).where("id", "in", ids).execute();
  }

  it("tags every post with its delivery's key in the message metadata", async () => {
    const queue = openQueue();
    startWorker(slackPort());
    const ids = await record(toChannel("tagged-announce", "C1"), toPerson("tagged-dm", "U1"));
    await queue.schedule(ids);
    await waitFor(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "sent"));
    const metadata = fake.callsTo("chat.postMessage").map((c) => [c.body.channel, c.body.metadata]);
    expect(metadata.sort()).toEqual([
      ["C1", tag("tagged-announce")],
      ["U1", tag("tagged-dm")],
    ]);
    expect(fake.attemptsAt("conversations.history")).toEqual([]); // nothing was in doubt
  });

  it("records a message Slack had taken as sent, where it landed, without posting it again", async () => {
    const queue = openQueue();
    const [announce, dm] = (await record(toChannel("taken-announce", "C1"), toPerson("taken-dm", "U1"))) as [string, string];
    const claimedAt = new Date(Date.now() - 10 * 60_000);
    await leftSending([announce, dm], claimedAt);
    // Slack has both: posted by the worker that died before its rows could say so (with other messages around them).
    fake.post({ channel: "C1", text: "someone else", metadata: tag("another-delivery") });
    const inChannel = fake.post({ channel: "C1", text: "announce taken-announce", metadata: tag("taken-announce") });
    const inDm = fake.post({ channel: "D1", text: "dm taken-dm", metadata: tag("taken-dm") });
    fake.post({ channel: "C1", text: "a reply from a person" });
    startWorker(slackPort());

    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 2, recovered: 2 });
    await waitFor(async () => (await statusOf(announce)) === "sent" && (await statusOf(dm)) === "sent");
    await drained(queue);
    expect(await rowOf(announce)).toMatchObject({ message_channel_id: "C1", message_id: inChannel.ts, uncertain_since: null });
    expect(await rowOf(dm)).toMatchObject({ message_channel_id: "D1", message_id: inDm.ts, uncertain_since: null });
    expect(fake.attemptsAt("chat.postMessage")).toEqual([]);
    // It looked in each conversation (the person's through their DM with the app) from a minute before the lost send.
    expect(fake.callsTo("conversations.open").map((c) => c.body.users)).toEqual(["U1"]);
    const looks = fake.callsTo("conversations.history").map((c) => c.body);
    expect(looks.map((b) => b.channel).sort()).toEqual(["C1", "D1"]);
    for (const look of looks) {
      expect(look).toMatchObject({ include_all_metadata: "true", limit: "100" });
      expect(Number(look.oldest) * 1000).toBeCloseTo(claimedAt.getTime() - 60_000, -1);
    }
  });

  it("posts once a message Slack never got, tagged, and stops looking once it is sent", async () => {
    const queue = openQueue();
    const [announce, dm] = (await record(toChannel("lost-announce", "C1"), toPerson("lost-dm", "U1"))) as [string, string];
    await leftSending([announce, dm]);
    // The same words under another key, and this key's message from long before the send in doubt, are not it.
    fake.post({ channel: "C1", text: "announce lost-announce", metadata: tag("lost-announce-2") });
    fake.post({ channel: "D1", text: "dm lost-dm", metadata: tag("lost-dm"), ts: `${Math.floor(Date.now() / 1000) - 3600}.000001` });
    startWorker(slackPort());

    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 2, recovered: 2 });
    await waitFor(async () => (await statusOf(announce)) === "sent" && (await statusOf(dm)) === "sent");
    expect(await reconcileDeliveries(database.db, queue, { staleSendingMs: 60_000 })).toEqual({ scheduled: 0, recovered: 0 });
    await drained(queue);
    const posts = fake.callsTo("chat.postMessage");
    expect(posts.map((c) => [c.body.channel, c.body.metadata]).sort()).toEqual([
      ["C1", tag("lost-announce")],
      ["U1", tag("lost-dm")],
    ]);
    expect(fake.callsTo("conversations.history")).toHaveLength(2); // one look each, before its post
    const landed = fake.messages.filter((m) => m.metadata?.event_payload.key === "lost-announce");
    expect(await rowOf(announce)).toMatchObject({ status: "sent", attempts: 2, message_id: landed[0]!.ts, uncertain_since: null });
    expect(await rowOf(dm)).toMatchObject({ status: "sent", attempts: 2, uncertain_since: null });
  });

  it("looks before posting again after a post that failed without a clear answer (a 500)", async () => {
    const queue = openQueue({ backoffMs: 20 });
    fake.failNext("chat.postMessage", 1, { kind: "http", status: 500 });
    startWorker(slackPort());
    const [id] = (await record(toChannel("after-500", "C1"))) as [string];
    await queue.schedule([id]);
    await waitFor(async () => (await statusOf(id)) === "sent");
    await drained(queue);
    expect(fake.calls.map((c) => `${c.method}${c.failed ? " (failed)" : ""}`)).toEqual([
      "chat.postMessage (failed)",
      "conversations.history",
      "chat.postMessage",
    ]);
    expect(await rowOf(id)).toMatchObject({ status: "sent", attempts: 2, uncertain_since: null });
  });
});

describe("sending at once, from the job that made the message (sendingNow)", () => {
  /** The delivery queue, noting which rows were handed to it: what sendingNow could not send itself. */
  function watchedQueue(): DeliveryQueue & { handed: string[] } {
    const queue = openQueue();
    const handed: string[] = [];
    return {
      handed,
      depth: () => queue.depth(),
      close: () => queue.close(),
      schedule: async (ids) => {
        handed.push(...ids);
        await queue.schedule(ids);
      },
    };
  }

  function startSendingWorker(chat: ChatPort, options: Partial<DeliveryWorkerOptions> = {}) {
    const worker = startDeliveryWorker({ db: database.db, connection: redis, prefix, ports: { slack: chat }, log, ...options });
    closers.push(() => worker.close());
    return worker;
  }

  it("sends due messages at once, without a job, and each once however often it is asked", async () => {
    const chat = new FakeChat();
    const queue = watchedQueue();
    const now = startSendingWorker(chat).sendingNow(queue);
    const ids = await record(toPerson("p-1", "U1"), toPerson("p-2", "U2"), toPerson("p-3", "U3"));

    await now.schedule(ids);
    await waitFor(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "sent"));
    await now.schedule(ids);
    await queue.schedule(ids); // and a stray job for each
    await drained(queue);

    expect(chat.tries.map((c) => c.text).sort()).toEqual(["dm p-1", "dm p-2", "dm p-3"]);
    expect(queue.handed).toEqual(ids); // the stray jobs only: sendingNow queued nothing
    for (const id of ids) expect(await rowOf(id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("queues what it cannot send at once — the next message in a conversation at its pace, one Slack rate-limits — and each is still sent once, in order", async () => {
    // The first post is refused with Retry-After; everything after goes through.
    const chat = new FakeChat((n) => (n === 0 ? new RateLimitedError(200) : undefined));
    const queue = watchedQueue();
    const now = startSendingWorker(chat, gap(300)).sendingNow(queue);
    const [limited] = (await record(toPerson("limited", "U9"))) as [string];
    await now.schedule([limited]);
    await waitFor(() => queue.handed.includes(limited));
    const paced = await record(toPerson("first", "U1"), toPerson("second", "U1"));
    await now.schedule(paced);

    await waitFor(async () => (await Promise.all([limited, ...paced].map(statusOf))).every((s) => s === "sent"), { timeoutMs: 10_000 });
    await drained(queue);
    expect(queue.handed).toEqual([limited, paced[1]]); // the first to U1 went at once; its second had to wait its turn
    expect(chat.sent.filter((c) => c.target === "U1").map((c) => c.text)).toEqual(["dm first", "dm second"]);
    // The second was claimed with the first and handed back when its turn had not come: that was not a try.
    expect(await rowOf(paced[1]!)).toMatchObject({ status: "sent", attempts: 1 });
    const [first, second] = chat.sent.filter((c) => c.target === "U1");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(280);
    expect(chat.tries.filter((c) => c.target === "U9")).toHaveLength(2);
    expect(chat.sent.filter((c) => c.target === "U9")).toHaveLength(1);
  });

  it("leaves edits, and messages that wait until a time, to the queue", async () => {
    const chat = new FakeChat();
    const queue = watchedQueue();
    const now = startSendingWorker(chat).sendingNow(queue);
    const [original] = (await record(toChannel("announce-1"))) as [string];
    await markSent(original, "C1", "m-original");
    const edits = await reviseDelivery(database.db, "announce-1", { text: "edited" }, "announce-1-edit");
    const [later] = (await record({ ...toPerson("later", "U1"), notBefore: new Date(Date.now() + 500) })) as [string];

    await now.schedule([...edits, later]);
    await waitFor(async () => (await statusOf(edits[0]!)) === "sent" && (await statusOf(later)) === "sent", { timeoutMs: 10_000 });
    expect(queue.handed).toEqual([...edits, later]);
    expect(chat.sent.map((c) => [c.kind, c.text])).toEqual([
      ["update", "edited"],
      ["person", "dm later"],
    ]);
  });

  it("sends at most its limit at a time and queues the rest; closing waits for those in flight", async () => {
    const gate = deferred();
    const chat = new FakeChat();
    const held: ChatPort = {
      sendToPerson: async (person, view) => (await gate.promise, chat.sendToPerson(person, view)),
      postToChannel: (channel, view) => chat.postToChannel(channel, view),
      update: (ref, view) => chat.update(ref, view),
    };
    const queue = watchedQueue();
    const worker = startSendingWorker(held, { sendingNowLimit: 2 });
    const ids = await record(...[1, 2, 3, 4, 5].map((n) => toPerson(`p-${n}`, `U${n}`)));

    await worker.sendingNow(queue).schedule(ids);
    expect(queue.handed).toEqual(ids.slice(2));
    // Both in flight have claimed their rows, and the three queued wait behind the gate too.
    await waitFor(async () => (await Promise.all(ids.map(statusOf))).filter((s) => s === "sending").length >= 2);

    let closed = false;
    const closing = worker.close().then(() => (closed = true));
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect((await Promise.all(ids.slice(0, 2).map(statusOf)))).toEqual(["sent", "sent"]);
  });
});
