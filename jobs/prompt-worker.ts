import type { Job } from "bullmq";
import { advancePrompt, type PromptingDeps } from "../src/features/reflections/prompting.ts";
import { PROMPT_QUEUE, type PromptJobData } from "./prompt-queue.ts";
import { startWorker, waitUntil, type QueuePlace, type StartedWorker } from "./queue-kit.ts";

export interface PromptWorkerOptions extends QueuePlace {
  deps: PromptingDeps;
  concurrency?: number;
}

/** Runs each prompt's job when its time comes: the core decides to send, remind, expire or wait (src/features/reflections). */
export function startPromptWorker(options: PromptWorkerOptions): StartedWorker {
  const { deps } = options;
  async function run(job: Job<PromptJobData>, token?: string): Promise<void> {
    const advanced = await advancePrompt(deps, job.data.promptId);
    if (advanced.kind !== "early") return;
    // Let out a little before the row's time (clocks differ by a few ms): this job is the row's, so it waits again.
    if (advanced.nextAt.getTime() === job.data.at) return waitUntil(job, token, advanced.nextAt.getTime());
    // An old job of a prompt that has moved on: make sure the job for its new time is there (a no-op when it is).
    await deps.prompts.schedule([job.data.promptId]);
  }
  return startWorker<PromptJobData>(PROMPT_QUEUE, run, {
    connection: options.connection,
    prefix: options.prefix,
    log: deps.log,
    label: "prompt",
    concurrency: options.concurrency ?? 20,
  });
}
