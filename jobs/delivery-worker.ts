import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Logger } from "pino";
import { PermanentDeliveryError, RateLimitedError, type ChatPort, type MessageRef, type Platform } from "../src/ports.ts";
import type { Db } from "../src/store/database.ts";
import type { MessageView } from "../src/views/view.ts";
import { DELIVERY_QUEUE, type DeliveryJobData } from "./delivery-queue.ts";

/** Counters another module wires to prom-client; called once per outcome. */
export interface DeliveryMetrics {
  delivered(platform: Platform): void;
  failed(platform: Platform): void;
  rateLimited(platform: Platform): void;
}

export interface DeliveryWorkerOptions {
  db: Db;
  /**
   * Any ioredis client; it stays the caller's. The worker runs on a duplicate with `maxRetriesPerRequest: null`
   * (BullMQ refuses blocking connections that give up on commands) and closes that duplicate itself.
   */
  connection: Redis;
  prefix: string;
  ports: Partial<Record<Platform, ChatPort>>;
  log: Logger;
  metrics?: DeliveryMetrics;
  concurrency?: number;
  /** Least time between two posts to one channel or person (Slack allows about one a second per channel). */
  channelGapMs?: number;
  /** How long an edit waits before looking again at the message it edits, while that message is still being sent. */
  editWaitMs?: number;
}

export interface DeliveryWorker {
  /** Waits for messages being sent to finish. */
  close(): Promise<void>;
}

type DeliveryRow = Awaited<ReturnType<typeof readDelivery>>;

// Takes the channel's slot if free (returns 0), else returns how long until it frees.
const TAKE_SLOT = `if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then return ttl end
return tonumber(ARGV[1])`;

export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, connection, prefix, ports, metrics } = options;
  const gapMs = options.channelGapMs ?? 1000;
  const editWaitMs = options.editWaitMs ?? 1000;
  const workerConnection = connection.duplicate({ maxRetriesPerRequest: null });
  // An edit changes a message in a channel, so it takes its turn with that channel's posts.
  const paceKey = (row: NonNullable<DeliveryRow>, edits: MessageRef | undefined) =>
    `${prefix}:delivery-pace:${row.platform}:${row.workspace_id}:${edits ? `channel:${edits.channelId}` : `${row.target_kind}:${row.target_id}`}`;

  async function deliver(job: Job<DeliveryJobData>, token?: string): Promise<void> {
    const { deliveryId } = job.data;
    const log = options.log.child({ deliveryId });
    const row = await readDelivery(db, deliveryId);
    if (row?.status !== "pending") return; // sent, failed, gone, or another worker has it

    const edits = row.target_kind === "message" ? await editedMessage(db, row.target_id) : undefined;
    // Not a failed attempt: the edit waits, however long, for the send it edits to end one way or the other.
    if (edits === "wait") return delay(job, token, editWaitMs);
    if (edits === "never") return giveUp(row, "the message it edits was never sent", "pending", log);
    const pace = paceKey(row, edits);

    if (gapMs > 0) {
      const waitMs = Number(await connection.eval(TAKE_SLOT, 1, pace, gapMs));
      if (waitMs > 0) return delay(job, token, waitMs);
    }

    const claimed = await db
      .updateTable("delivery")
      .set((eb) => ({ status: "sending", attempts: eb("attempts", "+", 1), claimed_at: sql<Date>`now()` }))
      .where("id", "=", deliveryId)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
    if (!claimed) return;
    const platform = claimed.platform as Platform;

    let ref: MessageRef;
    try {
      ref = await send(claimed, edits);
    } catch (err) {
      return settleFailedSend(job, token, claimed, pace, err, log);
    }
    // Outside the try: once the platform has the message, no error here may put the row back to pending.
    await markSent(db, deliveryId, ref);
    metrics?.delivered(platform);
    log.info({ platform, messageId: ref.messageId, edited: edits !== undefined }, "delivery sent");
  }

  async function settleFailedSend(
    job: Job<DeliveryJobData>,
    token: string | undefined,
    row: NonNullable<DeliveryRow>,
    pace: string,
    err: unknown,
    log: Logger,
  ): Promise<never> {
    const platform = row.platform as Platform;
    if (err instanceof RateLimitedError) {
      metrics?.rateLimited(platform);
      log.warn({ platform, retryAfterMs: err.retryAfterMs }, "delivery rate limited");
      await release(db, row.id, err.message);
      const waitMs = Math.max(err.retryAfterMs, gapMs, 1);
      // Holds the channel's other messages back too: the platform asked for quiet, not just for this one.
      if (gapMs > 0) await connection.set(pace, "1", "PX", waitMs);
      return delay(job, token, waitMs);
    }
    if (err instanceof PermanentDeliveryError) return giveUp(row, err.message, "sending", log, err);
    const message = err instanceof Error ? err.message : String(err);
    await release(db, row.id, message);
    log.warn({ err, platform, attempt: job.attemptsMade + 1 }, "delivery failed; will retry");
    throw err instanceof Error ? err : new Error(message);
  }

  /** Marks the row failed for good (an edit of a message that is gone, a channel the bot left) and stops its job. */
  async function giveUp(
    row: NonNullable<DeliveryRow>,
    reason: string,
    from: "pending" | "sending",
    log: Logger,
    err?: unknown,
  ): Promise<never> {
    const platform = row.platform as Platform;
    await markFailed(db, row.id, reason, from);
    metrics?.failed(platform);
    log.error({ err, platform, reason }, "delivery failed for good");
    throw new UnrecoverableError(reason);
  }

  async function send(row: NonNullable<DeliveryRow>, edits: MessageRef | undefined): Promise<MessageRef> {
    const platform = row.platform as Platform;
    const port = ports[platform];
    if (!port) throw new PermanentDeliveryError(`no chat port for platform ${row.platform}`);
    const view = row.view as MessageView;
    const workspaceId = row.workspace_id;
    if (edits) {
      await port.update({ ...edits, workspaceId }, view);
      return edits;
    }
    return row.target_kind === "person"
      ? port.sendToPerson({ platform, workspaceId, userId: row.target_id }, view)
      : port.postToChannel({ platform, workspaceId, channelId: row.target_id }, view);
  }

  const worker = new Worker<DeliveryJobData>(DELIVERY_QUEUE, deliver, {
    connection: workerConnection,
    prefix,
    concurrency: options.concurrency ?? 10,
  });
  worker.on("error", (err) => options.log.error({ err }, "delivery worker error"));

  // Transient failures leave the row pending between tries; once BullMQ gives up, the row says so.
  const settling = new Set<Promise<void>>();
  worker.on("failed", (job, err) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const { deliveryId } = job.data;
    const done = markFailed(db, deliveryId, err.message, "pending")
      .then((platform) => {
        if (!platform) return;
        metrics?.failed(platform);
        options.log.child({ deliveryId }).error({ err, platform }, "delivery failed after its last attempt");
      })
      // Unmarked, the row would stay pending behind a kept failed job; removing the job lets reconcile retry it.
      .catch(async (markErr: unknown) => {
        options.log.child({ deliveryId }).error({ err: markErr }, "could not mark delivery failed");
        await job.remove().catch(() => undefined);
      })
      .finally(() => settling.delete(done));
    settling.add(done);
  });

  return {
    async close() {
      await worker.close();
      await Promise.all(settling);
      await workerConnection.quit();
    },
  };
}

async function delay(job: Job<DeliveryJobData>, token: string | undefined, ms: number): Promise<never> {
  // Not a failed attempt: the job waits its turn without using up its retries.
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

function readDelivery(db: Db, id: string) {
  return db.selectFrom("delivery").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Where the message an edit changes landed, read from the delivery that posted it. */
async function editedMessage(db: Db, originalId: string): Promise<MessageRef | "wait" | "never"> {
  const original = await readDelivery(db, originalId);
  if (original?.status === "pending" || original?.status === "sending") return "wait";
  if (original?.status !== "sent" || !original.message_channel_id || !original.message_id) return "never";
  return { channelId: original.message_channel_id, messageId: original.message_id };
}

/** Puts a claimed row back for the next try. */
async function release(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable("delivery")
    .set({ status: "pending", last_error: error, claimed_at: null })
    .where("id", "=", id)
    .where("status", "=", "sending")
    .execute();
}

/** The message is out: this write is all that stops a resend, so it gets a few tries of its own. */
async function markSent(db: Db, id: string, ref: MessageRef): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db
        .updateTable("delivery")
        .set({ status: "sent", sent_at: sql<Date>`now()`, message_channel_id: ref.channelId, message_id: ref.messageId, last_error: null })
        .where("id", "=", id)
        .execute();
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** Returns the row's platform when this call failed it. */
async function markFailed(db: Db, id: string, error: string, from: "pending" | "sending"): Promise<Platform | undefined> {
  const row = await db
    .updateTable("delivery")
    .set({ status: "failed", last_error: error })
    .where("id", "=", id)
    .where("status", "=", from)
    .returning("platform")
    .executeTakeFirst();
  return row?.platform as Platform | undefined;
}
