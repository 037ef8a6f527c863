import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CommandAnswerer, DeferredCommand } from "../src/interaction.ts";
import type { Platform } from "../src/ports.ts";
import { COMMAND_QUEUE } from "./command-queue.ts";

export interface CommandWorkerOptions {
  /** Stays the caller's; the worker blocks on a duplicate it closes itself (see startDeliveryWorker). */
  connection: Redis;
  prefix: string;
  answerers: Partial<Record<Platform, CommandAnswerer>>;
  log: Logger;
  /**
   * Commands run at once. Quick logs in one workspace that run together are stored in one transaction (see
   * logIncident), so this is also the most a burst can put in one commit.
   */
  concurrency?: number;
}

export interface CommandWorker {
  /** Waits for running commands to be answered. */
  close(): Promise<void>;
}

export function startCommandWorker(options: CommandWorkerOptions): CommandWorker {
  const connection = options.connection.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker<DeferredCommand>(
    COMMAND_QUEUE,
    async (job) => {
      const platform = job.data.interaction.actor.platform;
      const answer = options.answerers[platform];
      // Only a process set up for that platform can answer it; another worker's failure here is retried.
      if (!answer) throw new Error(`this worker has no ${platform} adapter to answer the command`);
      await answer(job.data);
    },
    { connection, prefix: options.prefix, concurrency: options.concurrency ?? 100 },
  );
  worker.on("error", (err) => options.log.error({ err }, "command worker error"));
  worker.on("failed", (job, err) => {
    const last = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    options.log[last ? "error" : "warn"]({ err, jobId: job?.id, attempt: job?.attemptsMade }, last ? "command given up" : "command will be tried again");
  });
  return {
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
