import { withinTime } from "../infra/time-limit.ts";
import type { CoreDeps } from "./deps.ts";

// Queueing is a Redis round trip; a Redis that does not answer must not hold up the reply to the user.
const SCHEDULE_TIMEOUT_MS = 1000;

/**
 * Queues stored deliveries. The change they tell of is already committed, so a Redis failure here must not fail the
 * user's command: the reconcile job re-queues every pending delivery.
 */
export async function scheduleQuietly(deps: CoreDeps, deliveryIds: readonly string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  try {
    await withinTime(deps.deliveries.schedule(deliveryIds), SCHEDULE_TIMEOUT_MS, "queueing timed out");
  } catch (err) {
    deps.log.warn({ err, deliveryIds }, "could not queue deliveries; the reconcile job will");
  }
}
