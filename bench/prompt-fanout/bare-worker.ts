import { performance } from "node:perf_hooks";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { serveParent } from "../ack-latency/ipc.ts";
import { BARE_CONCURRENCY, BARE_QUEUE, type BareJobData } from "./shared.ts";

/**
 * The baseline: a bare BullMQ worker, in a process of its own as Debrief's worker is, whose processor does nothing but
 * note when it ran. Its jobs are delayed jobs with the same due times as Debrief's prompts (run.ts adds them), so what
 * it measures is BullMQ's own lateness: a delayed job promoted and picked up on this machine, with this Redis.
 */

const now = () => performance.timeOrigin + performance.now();

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = process.env.REDIS_PREFIX ?? "debrief-bench";
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });

// Every run of the processor: which job, and when it started (epoch ms).
let runs: { n: number; due: number; at: number }[] = [];

const worker = new Worker<BareJobData>(
  BARE_QUEUE,
  async (job) => {
    runs.push({ n: job.data.n, due: job.data.due, at: now() });
  },
  { connection, prefix, concurrency: BARE_CONCURRENCY },
);
worker.on("error", (err) => console.error("bare worker error", err));
await worker.waitUntilReady();

serveParent(
  { pid: process.pid },
  {
    progress: () => ({ delivered: runs.length, lastAt: runs.at(-1)?.at ?? null }),
    /** Every run since the last collect. */
    collect: () => {
      const out = runs;
      runs = [];
      return out;
    },
    cpu: () => process.cpuUsage(),
  },
  async () => {
    await worker.close();
    await connection.quit().catch(() => connection.disconnect());
  },
);
