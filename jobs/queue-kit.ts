import { DelayedError, Queue, Worker, type Job, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** Where every queue and worker lives: the caller's Redis client, and the key prefix that keeps deployments apart. */
export interface QueuePlace {
  /** Stays the caller's: queues use it as it is, workers block on a duplicate they close themselves. */
  connection: Redis;
  prefix: string;
}

export interface QueueOptions extends QueuePlace {
  /** Tries per job (1: none again). */
  attempts?: number;
  /** Wait before the first retry; each next one waits twice as long. */
  backoffMs?: number;
  /** How long a job that failed for good is kept to look into. A finished job goes at once, which frees its id. */
  keepFailedSeconds?: number;
}

/** A queue on the caller's connection; closing it leaves that connection open. */
export function openQueue<T>(name: string, options: QueueOptions): Queue<T> {
  return new Queue<T>(name, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 1,
      backoff: { type: "exponential", delay: options.backoffMs ?? 1000 },
      removeOnComplete: true,
      removeOnFail: { age: options.keepFailedSeconds ?? 24 * 3600 },
    },
  });
}

export interface WorkerOptions<T> extends QueuePlace {
  log: Logger;
  /** Names the worker in its logs: "command" gives "command worker error", "command given up". */
  label: string;
  concurrency?: number;
  /**
   * What to do when a job fails, in place of the log line that says whether it will be tried again. Close waits for
   * what it returns.
   */
  failed?: (job: Job<T> | undefined, err: Error) => void | Promise<void>;
}

export interface StartedWorker {
  /** Waits for running jobs and failure handlers, then closes the worker's own connection. */
  close(): Promise<void>;
}

/** True when BullMQ will not try the job again for running out of attempts. */
export const lastAttempt = (job: Job | undefined): boolean => job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);

/**
 * A worker on a duplicate of the caller's connection: BullMQ refuses blocking connections that give up on commands,
 * hence `maxRetriesPerRequest: null`. Errors and failures are logged, never left unhandled.
 */
export function startWorker<T>(name: string, processor: Processor<T>, options: WorkerOptions<T>): StartedWorker {
  const { log, label } = options;
  const connection = options.connection.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker<T>(name, processor, {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 1,
    // A worker that dies (SIGKILL, a lost machine) holds its jobs until their locks lapse and a stalled check finds
    // them: BullMQ's 30 s and 30 s left prompts and escalations a minute late after a crash. Every job here is safe to
    // run twice (its row says what is done), so locks are shorter and checked more often.
    lockDuration: 15_000,
    stalledInterval: 5_000,
  });
  worker.on("error", (err) => log.error({ err }, `${label} worker error`));

  const settling = new Set<Promise<void>>();
  worker.on("failed", (job, err) => {
    if (!options.failed) {
      const last = lastAttempt(job);
      log[last ? "error" : "warn"]({ err, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade }, `${label} ${last ? "given up" : "will be tried again"}`);
      return;
    }
    const done = Promise.resolve()
      .then(() => options.failed?.(job, err))
      .catch((handlerErr: unknown) => log.error({ err: handlerErr, jobId: job?.id }, `${label} failure handler failed`))
      .finally(() => settling.delete(done));
    settling.add(done);
  });

  return {
    async close() {
      await worker.close();
      await Promise.all(settling);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** Puts a running job back to wait until `at` (ms since the epoch), without spending one of its tries. */
export async function waitUntil(job: Job, token: string | undefined, at: number): Promise<never> {
  await job.moveToDelayed(at, token);
  throw new DelayedError();
}
