import type { Logger } from "pino";
import { withinTime } from "../infra/time-limit.ts";
import type { CoreDeps } from "./deps.ts";

// Queueing is a Redis round trip; a Redis that does not answer must not hold up the reply to the user.
const SCHEDULE_TIMEOUT_MS = 1000;

/**
 * Queues the jobs of rows already committed. The change they tell of is done, so a Redis failure here must not fail
 * the user's command: the reconcile jobs re-queue every pending delivery and every live prompt.
 */
async function queueQuietly(scheduler: { schedule(ids: readonly string[]): Promise<void> }, ids: readonly string[], log: Logger, what: string): Promise<void> {
  if (ids.length === 0) return;
  try {
    await withinTime(scheduler.schedule(ids), SCHEDULE_TIMEOUT_MS, "queueing timed out");
  } catch (err) {
    log.warn({ err, ids }, `could not queue ${what}; the reconcile job will`);
  }
}

export const scheduleQuietly = (deps: Pick<CoreDeps, "deliveries" | "log">, deliveryIds: readonly string[]): Promise<void> =>
  queueQuietly(deps.deliveries, deliveryIds, deps.log, "deliveries");

export const queuePromptsQuietly = (deps: Pick<CoreDeps, "prompts" | "log">, promptIds: readonly string[]): Promise<void> =>
  queueQuietly(deps.prompts, promptIds, deps.log, "reflection prompts");
