import type { DeliveryScheduler } from "../src/delivery/outbox.ts";
import type { DbOrTx } from "../src/store/database.ts";
import { dueTimes } from "../src/store/deliveries.ts";
import { openQueue, type QueuePlace } from "./queue-kit.ts";

export const DELIVERY_QUEUE = "delivery";

/** Jobs carry the row id only; the worker reads everything else from Postgres. */
export interface DeliveryJobData {
  deliveryId: string;
}

export interface DeliveryQueueOptions extends QueuePlace {
  /** Where the rows are: a row that waits until a time is queued as a job held until then. */
  db: DbOrTx;
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
  // A finished job's id is free again, so a later schedule() of a sent row queues again: the worker sees the row is no
  // longer pending and does nothing. A failed job keeps its id while kept, which is fine: the row is failed.
  const queue = openQueue<DeliveryJobData>(DELIVERY_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    attempts: options.attempts ?? 10,
    backoffMs: options.backoffMs,
    keepFailedSeconds: 7 * 24 * 3600,
  });

  return {
    async schedule(deliveryIds) {
      for (let i = 0; i < deliveryIds.length; i += BATCH) {
        const batch = deliveryIds.slice(i, i + BATCH);
        // Read from the rows, not passed in: Postgres holds the time, Redis only the index (DESIGN.md).
        const dueIn = await dueTimes(options.db, batch);
        await queue.addBulk(
          batch.map((deliveryId) => ({
            name: "deliver",
            data: { deliveryId },
            opts: { jobId: deliveryJobId(deliveryId), delay: dueIn.get(deliveryId) ?? 0 },
          })),
        );
      }
    },
    depth: () => queue.getJobCountByTypes("waiting", "delayed", "active"),
    close: () => queue.close(),
  };
}
