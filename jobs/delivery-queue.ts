import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DeliveryScheduler } from "../src/delivery/outbox.ts";

export const DELIVERY_QUEUE = "delivery";

/** Jobs carry the row id only; the worker reads everything else from Postgres. */
export interface DeliveryJobData {
  deliveryId: string;
}

export interface DeliveryQueueOptions {
  connection: Redis;
  prefix: string;
  /** Tries per message before its row is marked failed. */
  attempts?: number;
  /** First retry delay after a transient failure; it doubles each try (tests pass a few ms). */
  backoffMs?: number;
}

export interface DeliveryQueue extends DeliveryScheduler {
  /** Messages waiting, delayed or being sent, for /metrics. */
  depth(): Promise<number>;
  /** Leaves the caller's connection open. */
  close(): Promise<void>;
}

/** Deterministic, so scheduling a row twice queues one job; BullMQ forbids ':' in ids. */
export const deliveryJobId = (deliveryId: string): string => `delivery-${deliveryId}`;

// A bounded batch keeps one Redis call from stalling others when reconcile finds a large backlog.
const BATCH = 500;

export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  const queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 10,
      backoff: { type: "exponential", delay: options.backoffMs ?? 1000 },
      // Removing a finished job frees its id, so a later schedule() of a sent row queues again;
      // the worker sees the row is no longer pending and does nothing.
      removeOnComplete: true,
      // Kept a week for inspection; while kept, the id stays taken, which is fine: the row is failed.
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });

  return {
    async schedule(deliveryIds) {
      for (let i = 0; i < deliveryIds.length; i += BATCH) {
        await queue.addBulk(
          deliveryIds.slice(i, i + BATCH).map((deliveryId) => ({
            name: "deliver",
            data: { deliveryId },
            opts: { jobId: deliveryJobId(deliveryId) },
          })),
        );
      }
    },
    depth: () => queue.getJobCountByTypes("waiting", "delayed", "active"),
    close: () => queue.close(),
  };
}
