import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { Duration } from "luxon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PERIODIC_QUEUE, startPeriodicJobs } from "../../jobs/periodic.ts";
import type { PeriodicJob } from "../../src/periodic-job.ts";
import { silentLog } from "../support/fakes.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { waitFor } from "../support/wait.ts";

let prefix: string;
let redis: Redis;
let closers: Array<() => Promise<void>>;

beforeEach(() => {
  prefix = uniquePrefix();
  redis = new Redis(REDIS_URL);
  closers = [];
});

afterEach(async () => {
  for (const close of closers.reverse()) await close();
  await redis.quit();
  await clearPrefix(prefix);
});

/** A job that counts its runs, every `ms`; `fails` makes every run throw after counting. */
function counting(name: string, ms: number, fails = false): PeriodicJob & { runs: number } {
  const job = {
    name,
    runs: 0,
    every: () => Duration.fromMillis(ms),
    run: async () => {
      job.runs++;
      if (fails) throw new Error(`${name} broke`);
    },
  };
  return job;
}

function start(jobs: PeriodicJob[], sweepEvery = Duration.fromMillis(60_000)): void {
  const periodic = startPeriodicJobs({ connection: redis, prefix, log: silentLog, settings: { sweepEvery }, jobs });
  closers.push(() => periodic.close());
}

function schedules(): Queue {
  const queue = new Queue(PERIODIC_QUEUE, { connection: redis, prefix });
  closers.push(() => queue.close());
  return queue;
}

describe("periodic jobs", () => {
  it("runs every registered job by name, each on its own schedule, and a failing one does not stop the rest", async () => {
    const often = counting("often", 100);
    const seldom = counting("seldom", 300);
    const broken = counting("broken", 100, true);
    start([often, seldom, broken]);

    await waitFor(() => often.runs >= 3 && seldom.runs >= 2 && broken.runs >= 2);
  });

  it("reads how often from the settings it is given", async () => {
    let runs = 0;
    const sweep: PeriodicJob = { name: "sweep", every: (settings) => settings.sweepEvery, run: async () => void runs++ };
    start([sweep], Duration.fromMillis(100));

    await waitFor(() => runs >= 2);
    expect((await schedules().getJobScheduler("sweep"))?.every).toBe(100);
  });

  it("drops the schedule of a job this release no longer has", async () => {
    const queue = schedules();
    await queue.upsertJobScheduler("retired", { every: 100 }, { name: "retired" });
    const kept = counting("kept", 100);
    start([kept]);

    await waitFor(async () => kept.runs >= 1 && (await queue.getJobSchedulers()).map((s) => s.key).join() === "kept");
  });
});
