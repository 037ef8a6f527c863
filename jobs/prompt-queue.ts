import type { DbOrTx } from "../src/store/database.ts";
import { nextTimes } from "../src/features/reflections/store.ts";
import type { PromptScheduler } from "../src/usecases/deps.ts";
import { openQueue, type QueuePlace } from "./queue-kit.ts";

export const PROMPT_QUEUE = "prompt";

/** Jobs carry the prompt's id and the time they were queued for; the worker reads everything else from Postgres. */
export interface PromptJobData {
  promptId: string;
  /** The row's next_at when the job was queued, in ms: a job whose row has since moved on is an old one. */
  at: number;
}

/**
 * Deterministic per prompt and time (BullMQ forbids ':' in ids): queueing the same prompt for the same time twice
 * queues one job. When a prompt's time moves (sent, reminded, put off), it gets a job for its new time; the old one,
 * if still queued, finds the row moved on and does nothing.
 */
export const promptJobId = (promptId: string, at: number): string => `prompt-${promptId}-${at}`;

export interface PromptQueueOptions extends QueuePlace {
  db: DbOrTx;
  attempts?: number;
  backoffMs?: number;
}

export interface PromptQueue extends PromptScheduler {
  depth(): Promise<number>;
  close(): Promise<void>;
}

const BATCH = 500;

export function createPromptQueue(options: PromptQueueOptions): PromptQueue {
  const queue = openQueue<PromptJobData>(PROMPT_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    attempts: options.attempts ?? 10,
    backoffMs: options.backoffMs,
    // A job given up (Postgres down through all its tries, say) goes at once, the worker having logged why: kept, its
    // id (the prompt and its time) would stop reconcile queueing again a prompt that is still due.
    keepFailedSeconds: 0,
  });
  return {
    async schedule(promptIds) {
      for (let i = 0; i < promptIds.length; i += BATCH) {
        // Read from the rows, not passed in: Postgres holds the time, Redis only the index (DESIGN.md).
        const times = await nextTimes(options.db, promptIds.slice(i, i + BATCH));
        const now = Date.now();
        await queue.addBulk(
          [...times].map(([promptId, nextAt]) => ({
            name: "prompt",
            data: { promptId, at: nextAt.getTime() },
            opts: { jobId: promptJobId(promptId, nextAt.getTime()), delay: Math.max(0, nextAt.getTime() - now) },
          })),
        );
      }
    },
    depth: () => queue.getJobCountByTypes("waiting", "delayed", "active"),
    close: () => queue.close(),
  };
}
