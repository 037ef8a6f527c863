import { Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Duration } from "luxon";
import type { Logger } from "pino";
import type { DeliveryScheduler } from "../src/delivery/outbox.ts";
import type { Db } from "../src/store/database.ts";

export interface ReconcileResult {
  /** Pending rows handed to the scheduler (most already had a job; their ids make this a no-op). */
  scheduled: number;
  /** Rows a crashed worker left in `sending`, now pending again. */
  recovered: number;
}

/**
 * Re-queues every pending delivery, so a Redis flush or restart loses nothing.
 * A row in `sending` for longer than `staleSendingMs` was claimed by a worker that died mid-send: it goes back to
 * pending and is sent again. Keep the window well above a send's duration; a crash after the platform accepted a
 * message but before the row said so is the one case that posts twice.
 */
export async function reconcileDeliveries(
  db: Db,
  scheduler: DeliveryScheduler,
  options: { staleSendingMs: number },
): Promise<ReconcileResult> {
  const recovered = await db
    .updateTable("delivery")
    .set({ status: "pending", claimed_at: null, last_error: "the worker sending it stopped; sending again" })
    .where("status", "=", "sending")
    // The worker stamps claimed_at with the database clock, so compare on that clock too.
    .where("claimed_at", "<", sql<Date>`now() - ${Math.round(options.staleSendingMs)}::double precision * interval '1 millisecond'`)
    .returning("id")
    .execute();
  const pending = await db
    .selectFrom("delivery")
    .select("id")
    .where("status", "=", "pending")
    .orderBy("created_at")
    .execute();
  await scheduler.schedule(pending.map((r) => String(r.id)));
  return { scheduled: pending.length, recovered: recovered.length };
}

export interface ReconcileSchedulerOptions {
  connection: Redis;
  prefix: string;
  every: Duration;
  /** The periodic work: reconcile deliveries (and whatever else the composition root adds). */
  run: () => Promise<unknown>;
  log: Logger;
}

export const MAINTENANCE_QUEUE = "maintenance";
const SCHEDULER_ID = "delivery-reconcile";

/**
 * Runs `run` every `every` on any one worker process, through a BullMQ job scheduler on the "maintenance" queue.
 * This worker handles only "reconcile" jobs: other periodic work goes in `run` or on a queue of its own,
 * since any worker on a queue takes any of its jobs.
 */
export function startReconcileScheduler(options: ReconcileSchedulerOptions): { close(): Promise<void> } {
  const { connection, prefix, log } = options;
  const everyMs = options.every.toMillis();
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  const upsert = () =>
    queue.upsertJobScheduler(SCHEDULER_ID, { every: everyMs }, {
      name: "reconcile",
      opts: { removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
    });
  // A Redis flush also removes the scheduler itself; without this check reconcile would stop until a restart.
  const ensure = async () => {
    if (!(await queue.getJobScheduler(SCHEDULER_ID))) await upsert();
  };
  const started = upsert().catch((err: unknown) => log.error({ err }, "could not schedule delivery reconcile"));
  const timer = setInterval(() => {
    ensure().catch((err: unknown) => log.error({ err }, "could not check the delivery reconcile schedule"));
  }, everyMs);
  timer.unref();

  const workerConnection = connection.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name !== "reconcile") throw new UnrecoverableError(`no handler for maintenance job "${job.name}"`);
      await options.run();
    },
    { connection: workerConnection, prefix, concurrency: 1 },
  );
  worker.on("error", (err) => log.error({ err }, "maintenance worker error"));
  worker.on("failed", (job, err) => log.error({ err, job: job?.name }, "maintenance job failed"));

  return {
    async close() {
      clearInterval(timer);
      await started;
      await worker.close();
      await queue.close();
      await workerConnection.quit();
    },
  };
}
