import { UnrecoverableError, type Job } from "bullmq";
import type { Logger } from "pino";
import type { DeliveryScheduler } from "../src/delivery/outbox.ts";
import type { Conversation } from "../src/platform.ts";
import { PermanentDeliveryError, RateLimitedError, type ChatPort, type MessageRef, type Platform } from "../src/ports.ts";
import type { Db } from "../src/store/database.ts";
import {
  claimDeliveriesToPost,
  claimDelivery,
  findDelivery,
  findDeliveryToSend,
  markDeliveryFailed,
  markDeliverySent,
  releaseDelivery,
  stillPending,
  unclaimDelivery,
  type Delivery,
} from "../src/store/deliveries.ts";
import { conversationPace, type PacingByPlatform } from "./conversation-pace.ts";
import { DELIVERY_QUEUE, type DeliveryJobData } from "./delivery-queue.ts";
import { lastAttempt, startWorker, waitUntil, type QueuePlace, type StartedWorker } from "./queue-kit.ts";

/** Counters another module wires to prom-client; called once per outcome. */
export interface DeliveryMetrics {
  delivered(platform: Platform): void;
  failed(platform: Platform): void;
  rateLimited(platform: Platform): void;
}

export interface DeliveryWorkerOptions extends QueuePlace {
  db: Db;
  ports: Partial<Record<Platform, ChatPort>>;
  log: Logger;
  metrics?: DeliveryMetrics;
  concurrency?: number;
  /**
   * How fast each platform may be sent to, per conversation (a channel, or a person's direct messages); a platform
   * not named goes at about one message a second per conversation.
   */
  pacing?: PacingByPlatform;
  /** How long an edit waits before looking again at the message it edits, while that message is still being sent. */
  editWaitMs?: number;
  /** Messages `sendingNow` sends at once, at most, at a time; more are queued. Enough for a prompt run (51 people). */
  sendingNowLimit?: number;
}

/** Closing it waits for messages being sent to finish. */
export interface DeliveryWorker extends StartedWorker {
  /**
   * A scheduler that sends each message from this process at once, when nothing stands in the way (its time, its
   * conversation's pace, an edit, a send in doubt), and queues it otherwise. For work that makes many messages at the
   * moment they are due (reflection prompts): it saves each one a trip through the queue, and the job's reads.
   */
  sendingNow(queue: DeliveryScheduler): DeliveryScheduler;
}

export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, ports, metrics } = options;
  const editWaitMs = options.editWaitMs ?? 1000;
  const pace = conversationPace({ connection: options.connection, prefix: options.prefix, pacing: options.pacing ?? {} });
  // Jobs ask for their place in line in the order this worker took them from the queue, whatever order their rows come
  // back from Postgres in: so one conversation's messages, queued together, go in the order they were recorded.
  const nextTurn = inStartOrder();
  // Messages that took their turns back to back (a burst the pacing allows) reach the platform in that order too.
  const placeInConversation = oneAtATimePer((c: Conversation) => `${c.platform}:${c.workspaceId}:${c.kind}:${c.id}`);

  async function deliver(job: Job<DeliveryJobData>, token?: string): Promise<void> {
    const tried = await sendOne(job.data.deliveryId, job.attemptsMade + 1);
    // Waiting is not a failed attempt: the job waits its turn without using up its retries.
    if (tried.kind === "wait") return delay(job, token, tried.ms);
    if (tried.kind === "retry") throw tried.err;
    if (tried.kind === "gaveUp") throw new UnrecoverableError(tried.reason);
  }

  /** One try at sending a row, in the order tries started; what is left to do is the caller's (a job, or the queue). */
  async function sendOne(deliveryId: string, attempt: number): Promise<Tried> {
    const turn = nextTurn();
    try {
      return await sendInTurn(deliveryId, attempt, turn);
    } finally {
      turn.pass();
    }
  }

  async function sendInTurn(deliveryId: string, attempt: number, turn: Turn): Promise<Tried> {
    const log = options.log.child({ deliveryId });
    const row = await findDeliveryToSend(db, deliveryId);
    if (row?.status !== "pending") return DONE; // sent, failed, gone, or another worker has it
    // Picked before its time (a stray job, or a delayed one let out early): it waits again, without spending a try.
    if (row.dueInMs > 0) return { kind: "wait", ms: row.dueInMs };

    const edits = row.target.kind === "message" ? await editedMessage(db, row.target.id) : undefined;
    // Not a failed attempt: the edit waits, however long, for the send it edits to end one way or the other.
    if (edits === "wait") return { kind: "wait", ms: editWaitMs };
    if (edits === "never") return giveUp(row, "the message it edits was never sent", "pending", log);
    const conversation = conversationOf(row, edits);

    const waitMs = await turn.call(() => pace.take(conversation, deliveryId));
    if (waitMs > 0) return { kind: "wait", ms: waitMs };

    return sendInPlace(conversation, () => claimDelivery(db, deliveryId), edits, attempt, log);
  }

  /**
   * Takes the send's place in its conversation at once (its turn has just come), claims the row, and sends it once the
   * sends that took their places before it have finished; DONE when the row could not be claimed.
   */
  async function sendInPlace(
    conversation: Conversation,
    claim: () => Promise<Delivery | undefined>,
    edits: MessageRef | undefined,
    attempt: number,
    log: Logger,
  ): Promise<Tried> {
    const place = placeInConversation(conversation);
    try {
      const claimed = await claim();
      if (!claimed) return DONE;
      await place.reached;
      return await sendClaimed(claimed, edits, conversation, attempt, log);
    } finally {
      place.leave();
    }
  }

  /** Sends a row this worker has claimed, and records where it landed; or puts it back as the failure says. */
  async function sendClaimed(claimed: Delivery, edits: MessageRef | undefined, conversation: Conversation, attempt: number, log: Logger): Promise<Tried> {
    const { id: deliveryId, platform } = claimed;
    // A post cut short by a crash may have landed: look for it before posting again. (An edit is simply made again.)
    let landed: MessageRef | undefined;
    try {
      landed = edits ? undefined : await alreadyPosted(claimed);
    } catch (err) {
      return settleFailedSend(claimed, conversation, err, log, "looking", attempt);
    }
    if (landed) {
      await markSent(db, deliveryId, landed);
      metrics?.delivered(platform);
      log.info({ platform, messageId: landed.messageId }, "delivery found posted by a send cut short; not sent again");
      return DONE;
    }

    let ref: MessageRef;
    try {
      ref = await send(claimed, edits);
    } catch (err) {
      return settleFailedSend(claimed, conversation, err, log, "sending", attempt);
    }
    // Outside the try: once the platform has the message, no error here may put the row back to pending.
    await markSent(db, deliveryId, ref);
    metrics?.delivered(platform);
    log.info({ platform, messageId: ref.messageId, edited: edits !== undefined }, "delivery sent");
    return DONE;
  }

  /** Where an earlier send of this row landed, when that send's outcome is unknown and the platform can tell. */
  async function alreadyPosted(row: Delivery): Promise<MessageRef | undefined> {
    const port = ports[row.platform];
    if (!row.uncertainSince || !port?.findPosted) return undefined;
    const { platform, workspaceId } = row;
    const to = row.target.kind === "person" ? { platform, workspaceId, userId: row.target.id } : { platform, workspaceId, channelId: row.target.id };
    return port.findPosted(to, row.dedupeKey, row.uncertainSince);
  }

  async function settleFailedSend(
    row: Delivery,
    conversation: Conversation,
    err: unknown,
    log: Logger,
    doing: "looking" | "sending",
    attempt: number,
  ): Promise<Tried> {
    const { platform } = row;
    if (err instanceof RateLimitedError) {
      metrics?.rateLimited(platform);
      log.warn({ platform, retryAfterMs: err.retryAfterMs }, "delivery rate limited");
      await releaseDelivery(db, row.id, err.message);
      const waitMs = Math.max(err.retryAfterMs, pace.intervalMs(conversation), 1);
      // Holds the conversation's other messages back too: the platform asked for quiet, not just for this one.
      await pace.hold(conversation, waitMs);
      return { kind: "wait", ms: waitMs };
    }
    if (err instanceof PermanentDeliveryError) return giveUp(row, err.message, "sending", log, err);
    const message = err instanceof Error ? err.message : String(err);
    // A send that failed this way (a timeout, a 5xx, a dropped connection) may still have posted: the next try looks
    // first. A look that failed leaves the row as it was.
    await releaseDelivery(db, row.id, message, { uncertain: doing === "sending" });
    log.warn({ err, platform, attempt }, "delivery failed; will retry");
    return { kind: "retry", err: err instanceof Error ? err : new Error(message) };
  }

  /** Marks the row failed for good (an edit of a message that is gone, a channel the bot left): no more tries. */
  async function giveUp(row: Delivery, reason: string, from: "pending" | "sending", log: Logger, err?: unknown): Promise<Tried> {
    const { platform } = row;
    await markDeliveryFailed(db, row.id, reason, from);
    metrics?.failed(platform);
    log.error({ err, platform, reason }, "delivery failed for good");
    return { kind: "gaveUp", reason };
  }

  async function send(row: Delivery, edits: MessageRef | undefined): Promise<MessageRef> {
    const { platform, workspaceId, view } = row;
    const port = ports[platform];
    if (!port) throw new PermanentDeliveryError(`no chat port for platform ${platform}`);
    if (edits) {
      await port.update({ ...edits, workspaceId }, view);
      return edits;
    }
    // Tagged with the row's key, so a send cut short can be found where it landed (alreadyPosted).
    const options = { key: row.dedupeKey };
    return row.target.kind === "person"
      ? port.sendToPerson({ platform, workspaceId, userId: row.target.id }, view, options)
      : port.postToChannel({ platform, workspaceId, channelId: row.target.id }, view, options);
  }

  // Transient failures leave the row pending between tries; once BullMQ gives up, the row says so.
  async function failed(job: Job<DeliveryJobData> | undefined, err: Error): Promise<void> {
    if (!job || !lastAttempt(job)) return;
    const log = options.log.child({ deliveryId: job.data.deliveryId });
    try {
      const platform = await markDeliveryFailed(db, job.data.deliveryId, err.message, "pending");
      if (!platform) return;
      metrics?.failed(platform);
      log.error({ err, platform }, "delivery failed after its last attempt");
    } catch (markErr) {
      // Unmarked, the row would stay pending behind a kept failed job; removing the job lets reconcile retry it.
      log.error({ err: markErr }, "could not mark delivery failed");
      await job.remove().catch(() => undefined);
    }
  }

  const worker = startWorker<DeliveryJobData>(DELIVERY_QUEUE, deliver, {
    connection: options.connection,
    prefix: options.prefix,
    log: options.log,
    label: "delivery",
    concurrency: options.concurrency ?? 10,
    failed,
  });

  const sendingNow = new Set<Promise<void>>();
  const maxSendingNow = options.sendingNowLimit ?? 60;
  let messagesNow = 0;

  /**
   * Claims those of `ids` that can be posted at once in one statement, then sends each in its conversation's turn;
   * whatever cannot go now (an edit, a send in doubt, a time not come, a turn not come, a failure) goes to the queue,
   * whose job does what a job does. Rows never claimed or handed back stay pending, for reconcile if this process dies.
   */
  async function sendBatchNow(ids: readonly string[], queue: DeliveryScheduler): Promise<void> {
    const claimed = await claimDeliveriesToPost(db, ids).catch((err: unknown) => {
      options.log.warn({ err }, "could not claim messages to send at once; queueing them");
      return [];
    });
    const taken = new Set(claimed.map((row) => row.id));
    // Not claimed: an edit, a send in doubt, a time not come (the queue's job waits on each); or not pending at all.
    const unclaimed = ids.filter((id) => !taken.has(id));
    const left = unclaimed.length > 0 ? await stillPending(db, unclaimed).catch(() => unclaimed) : [];
    // Taken in order now, so one conversation's messages keep the order of their ids.
    const tries = claimed.map((row) => ({ row, turn: nextTurn() }));
    await Promise.all([
      left.length > 0 ? queue.schedule(left) : undefined,
      ...tries.map(async ({ row, turn }) => {
        let tried: Tried;
        try {
          tried = await postInTurn(row, turn);
        } catch (err) {
          options.log.warn({ err, deliveryId: row.id }, "could not send at once; queueing it");
          tried = { kind: "wait", ms: 0 };
        }
        if (tried.kind === "wait" || tried.kind === "retry") await queue.schedule([row.id]);
      }),
    ]);
  }

  async function postInTurn(row: Delivery, turn: Turn): Promise<Tried> {
    const conversation = conversationOf(row, undefined);
    let waitMs: number;
    try {
      waitMs = await turn.call(() => pace.take(conversation, row.id));
    } finally {
      turn.pass();
    }
    if (waitMs > 0) {
      // Its turn has not come: the claim was never used, so it is not a try; the queue's job waits for the turn.
      await unclaimDelivery(db, row.id);
      return { kind: "wait", ms: waitMs };
    }
    return sendInPlace(conversation, async () => row, undefined, row.attempts, options.log.child({ deliveryId: row.id }));
  }

  return {
    sendingNow(queue) {
      return {
        async schedule(ids) {
          const now = ids.slice(0, Math.max(0, maxSendingNow - messagesNow));
          const later = ids.slice(now.length);
          if (now.length > 0) {
            messagesNow += now.length;
            // Not awaited: the caller (a prompt's job) goes on while the messages go out. Closing waits for them.
            const sending: Promise<void> = sendBatchNow(now, queue)
              .catch((err: unknown) => options.log.error({ err, deliveryIds: now }, "could not send or queue; the reconcile job will"))
              .finally(() => {
                messagesNow -= now.length;
                sendingNow.delete(sending);
              });
            sendingNow.add(sending);
          }
          if (later.length > 0) await queue.schedule(later);
        },
      };
    },
    async close() {
      await Promise.all(sendingNow);
      await worker.close();
    },
  };
}

/** What one try at a delivery left to do: nothing; wait (its time, its turn, Retry-After); try again; nothing ever. */
type Tried = { kind: "done" } | { kind: "wait"; ms: number } | { kind: "retry"; err: Error } | { kind: "gaveUp"; reason: string };
const DONE: Tried = { kind: "done" };

/** The conversation a delivery is paced in: an edit changes a message in a channel, so it waits its turn there. */
function conversationOf(row: Delivery, edits: MessageRef | undefined): Conversation {
  const { platform, workspaceId } = row;
  if (edits) return { platform, workspaceId, kind: "channel", id: edits.channelId };
  return { platform, workspaceId, kind: row.target.kind === "person" ? "person" : "channel", id: row.target.id };
}

interface Turn {
  /** Makes the call once every job started earlier has made its own or passed. */
  call<T>(make: () => Promise<T>): Promise<T>;
  /** Lets the next job call, once those before have; for a job that made no call (harmless after one). */
  pass(): void;
}

/**
 * Calls made in the order their jobs started, without one job waiting for another's answer: the calls go out on one
 * Redis connection, which runs them in the order they were sent.
 */
function inStartOrder(): () => Turn {
  let previous: Promise<void> = Promise.resolve();
  return () => {
    const before = previous;
    let done!: () => void;
    previous = new Promise((resolve) => (done = resolve));
    return {
      async call(make) {
        await before;
        const answer = make();
        done();
        return answer;
      },
      pass: () => void before.then(done),
    };
  };
}

interface Place {
  /** Settles once every send that took its place before this one has left it. */
  reached: Promise<void>;
  leave(): void;
}

/**
 * Places in line per key, taken in the order asked for: each send to a conversation waits for the one before it to
 * finish. Pacing decides when a send may go; this keeps sends let go together from overtaking one another in flight.
 */
function oneAtATimePer<K>(keyOf: (k: K) => string): (k: K) => Place {
  const last = new Map<string, Promise<void>>();
  return (k) => {
    const key = keyOf(k);
    const reached = last.get(key) ?? Promise.resolve();
    let leave!: () => void;
    const left = new Promise<void>((resolve) => (leave = resolve));
    const done = reached.then(() => left);
    last.set(key, done);
    void done.then(() => {
      if (last.get(key) === done) last.delete(key);
    });
    return { reached, leave };
  };
}

const delay = (job: Job<DeliveryJobData>, token: string | undefined, ms: number): Promise<never> => waitUntil(job, token, Date.now() + ms);

/** Where the message an edit changes landed, read from the delivery that posted it. */
async function editedMessage(db: Db, originalId: string): Promise<MessageRef | "wait" | "never"> {
  const original = await findDelivery(db, originalId);
  if (original?.status === "pending" || original?.status === "sending") return "wait";
  if (original?.status !== "sent" || !original.landed) return "never";
  return original.landed;
}

/** The message is out: this write is all that stops a resend, so it gets a few tries of its own. */
async function markSent(db: Db, id: string, ref: MessageRef): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await markDeliverySent(db, id, ref);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
