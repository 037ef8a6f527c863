import type { DeliveryScheduler } from "../src/delivery/outbox.ts";
import type { PeriodicJob } from "../src/periodic-job.ts";
import type { Db } from "../src/store/database.ts";
import { pendingDeliveryIds, releaseStaleDeliveries } from "../src/store/deliveries.ts";

export interface ReconcileResult {
  /** Pending rows handed to the scheduler (most already had a job; their ids make this a no-op). */
  scheduled: number;
  /** Rows a crashed worker left in `sending`, now pending again. */
  recovered: number;
}

// A delivery claimed longer ago than this was cut short by a crash; sends take seconds at most.
export const STALE_SENDING_MS = 5 * 60_000;

/**
 * Re-queues every pending delivery, so a Redis flush or restart loses nothing; one that waits until a time is queued
 * to wait the rest of it. A row in `sending` for longer than `staleSendingMs` was claimed by a worker that died
 * mid-send: it goes back to pending, marked uncertain, since the platform may have taken the message before the row
 * could say so. Its next send first looks for the message (Slack: by the key in its metadata) and records it as sent
 * if it is there, so a crash mid-send posts nothing twice. Keep the window well above a send's duration.
 */
export async function reconcileDeliveries(
  db: Db,
  scheduler: DeliveryScheduler,
  options: { staleSendingMs: number },
): Promise<ReconcileResult> {
  const recovered = await releaseStaleDeliveries(db, options.staleSendingMs, "the worker sending it stopped; looking for it before sending again");
  const pending = await pendingDeliveryIds(db);
  await scheduler.schedule(pending);
  return { scheduled: pending.length, recovered };
}

/** Reconcile as a periodic job, as often as the escalation sweep runs. */
export const deliveryReconcileJob = (db: Db, scheduler: DeliveryScheduler, staleSendingMs = STALE_SENDING_MS): PeriodicJob => ({
  // The name of its schedule before the periodic jobs had a registry, so upgrading replaces that schedule.
  name: "delivery-reconcile",
  every: (settings) => settings.sweepEvery,
  run: async () => {
    await reconcileDeliveries(db, scheduler, { staleSendingMs });
  },
});
