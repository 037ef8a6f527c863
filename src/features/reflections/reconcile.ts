import type { PeriodicJob } from "../../periodic-job.ts";
import type { Db } from "../../store/database.ts";
import type { PromptScheduler } from "../../usecases/deps.ts";
import { livePromptIds } from "./store.ts";

/**
 * Re-queues the job of every prompt still waiting for its time or its answer, so a Redis flush or a lost job skips
 * nothing: a prompt's job id names the prompt and its time, so one already queued is not queued twice, and a prompt
 * sent already has moved on to a later time. A prompt's message that a crashed worker left half-sent is the delivery
 * reconcile's to recover, as every message is.
 */
export const promptReconcileJob = (db: Db, prompts: PromptScheduler): PeriodicJob => ({
  name: "prompt-reconcile",
  every: (settings) => settings.sweepEvery,
  run: async () => {
    await prompts.schedule(await livePromptIds(db));
  },
});
