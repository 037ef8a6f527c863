import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { PeriodicJob, PeriodicSettings } from "../src/periodic-job.ts";
import { openQueue, startWorker, type QueuePlace } from "./queue-kit.ts";

// The name of old, when reconcile was its only job; kept so the schedules already in Redis are this queue's.
export const PERIODIC_QUEUE = "maintenance";

export interface PeriodicJobsOptions extends QueuePlace {
  jobs: readonly PeriodicJob[];
  settings: PeriodicSettings;
  log: Logger;
}

/**
 * Runs each periodic job every `job.every(settings)` on any one worker process, through a BullMQ job scheduler per job
 * (PLATFORMS.md: repeatable jobs are gone in BullMQ 6). One worker runs them all, one at a time, by name.
 */
export function startPeriodicJobs(options: PeriodicJobsOptions): { close(): Promise<void> } {
  const { log } = options;
  const jobs = new Map(options.jobs.map((job) => [job.name, job]));
  const everyMs = new Map(options.jobs.map((job) => [job.name, job.every(options.settings).toMillis()]));
  const queue = openQueue(PERIODIC_QUEUE, { connection: options.connection, prefix: options.prefix });

  // Each run is tried once; the next comes soon enough. A failed run is kept a day to look into.
  const upsert = (name: string) =>
    queue.upsertJobScheduler(name, { every: everyMs.get(name)! }, { name, opts: { removeOnComplete: true, removeOnFail: { age: 24 * 3600 } } });
  const started = (async () => {
    // A job this release no longer has (renamed, or gone) would otherwise keep firing into "no such job".
    for (const scheduler of await queue.getJobSchedulers()) {
      if (!jobs.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
    }
    for (const name of jobs.keys()) await upsert(name);
  })().catch((err: unknown) => log.error({ err }, "could not schedule the periodic jobs"));

  // A Redis flush also removes the schedulers themselves; without this check the jobs would stop until a restart.
  const timers = [...everyMs].map(([name, ms]) => {
    const timer = setInterval(() => {
      (async () => {
        if (!(await queue.getJobScheduler(name))) await upsert(name);
      })().catch((err: unknown) => log.error({ err, job: name }, "could not check a periodic job's schedule"));
    }, ms);
    timer.unref();
    return timer;
  });

  const worker = startWorker(
    PERIODIC_QUEUE,
    async (job) => {
      const periodic = jobs.get(job.name);
      if (!periodic) throw new UnrecoverableError(`no periodic job "${job.name}"`);
      await periodic.run();
    },
    { connection: options.connection, prefix: options.prefix, log, label: "periodic job", concurrency: 1 },
  );

  return {
    async close() {
      for (const timer of timers) clearInterval(timer);
      await started;
      await worker.close();
      await queue.close();
    },
  };
}
