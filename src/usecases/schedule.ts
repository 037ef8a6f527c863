import { withinTime } from "../infra/time-limit.ts";
import type { CoreDeps } from "./deps.ts";

// Queueing is a Redis round trip; a Redis that does not answer must not hold up the reply to the user.
const SCHEDULE_TIMEOUT_MS = 1000;

/**
 * Queues stored deliveries. The change they tell of is already committed, so a Redis failure here must not fail the
 * user's command: the reconcile job re-queues every pending delivery.
 */
export async function scheduleQuietly(deps: Pick<CoreDeps, "deliveries" | "log">, deliveryIds: readonly string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  try {
    await withinTime(deps.deliveries.schedule(deliveryIds), SCHEDULE_TIMEOUT_MS, "queueing timed out");
  } catch (err) {
    deps.log.warn({ err, deliveryIds }, "could not queue deliveries; the reconcile job will");
  }
}

/** Queues stored reflection prompts' jobs, as quietly: the reconcile job re-queues every live prompt. */
export async function queuePromptsQuietly(deps: Pick<CoreDeps, "prompts" | "log">, promptIds: readonly string[]): Promise<void> {
  if (promptIds.length === 0) return;
  try {
    await withinTime(deps.prompts.schedule(promptIds), SCHEDULE_TIMEOUT_MS, "queueing timed out");
  } catch (err) {
    deps.log.warn({ err, promptIds }, "could not queue reflection prompts; the reconcile job will");
  }
}
