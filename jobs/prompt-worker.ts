import type { Job } from "bullmq";
import { advancePrompt, type OldJob, type PromptingDeps } from "../src/features/reflections/prompting.ts";
import { PROMPT_QUEUE, promptJobId, type PromptJobData } from "./prompt-queue.ts";
import { openQueue, startWorker, waitUntil, type QueuePlace, type StartedWorker } from "./queue-kit.ts";

export interface PromptWorkerOptions extends QueuePlace {
  deps: PromptingDeps;
  concurrency?: number;
}

/** Runs each prompt's job when its time comes: the core decides to send, remind, expire or wait (src/features/reflections). */
export function startPromptWorker(options: PromptWorkerOptions): StartedWorker {
  const { deps } = options;
  // Only to take off old jobs: the worker's own connection blocks waiting for jobs.
  const queue = openQueue<PromptJobData>(PROMPT_QUEUE, { connection: options.connection, prefix: options.prefix });

  async function run(job: Job<PromptJobData>, token?: string): Promise<void> {
    const advanced = await advancePrompt(deps, job.data.promptId);
    await dropOldJobs(advanced.oldJobs);
    if (advanced.kind !== "early") return;
    // Let out a little before the row's time (clocks differ by a few ms): this job is the row's, so it waits again.
    if (advanced.nextAt.getTime() === job.data.at) return waitUntil(job, token, advanced.nextAt.getTime());
    // An old job of a prompt that has moved on: make sure the job for its new time is there (a no-op when it is).
    await deps.prompts.schedule([job.data.promptId]);
  }

  /**
   * The run settled other people's prompts with its own (a burst falling due): their old jobs would each be taken,
   * read their row and find it moved on. Dropping them saves that work, which in a burst is most of the worker's.
   * A job already running is not dropped (BullMQ answers 0) and does no harm; nor does one a failure leaves queued.
   */
  async function dropOldJobs(old: readonly OldJob[]): Promise<void> {
    if (old.length === 0) return;
    try {
      await Promise.all(old.map((o) => queue.remove(promptJobId(o.promptId, o.at.getTime()))));
    } catch (err) {
      deps.log.warn({ err }, "could not drop old prompt jobs; they will find their prompts moved on");
    }
  }

  const worker = startWorker<PromptJobData>(PROMPT_QUEUE, run, {
    connection: options.connection,
    prefix: options.prefix,
    log: deps.log,
    label: "prompt",
    // Two at a time: each run takes up to 50 other people's due prompts with it (advancePrompt), so a backlog goes in a
    // few large batches. Twenty runs at once each found the others' people locked and settled a handful, and spent the
    // burst waiting on pool connections (bench/prompt-fanout: p99 lateness 2.4 s at 20, 0.4 s at 2).
    concurrency: options.concurrency ?? 2,
  });
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
