import { setPriority } from "node:os";
import { readConfig, type Role } from "../../src/config.ts";
import { createLogger } from "../../src/infra/logger.ts";
import { startDebrief } from "../../src/main.ts";
import { serveParent } from "./ipc.ts";

/**
 * Debrief in one role, as `npm start -- --role web|worker` runs it (the default: one process of each), or in both as
 * `npm start` does (BENCH_ONE_PROCESS=1), configured by the environment run.ts gives it: Slack over HTTP against the
 * fake Slack, the bench's own database and Redis prefix, PORT=0.
 */

// Loaded only when profiling, so the headline runs carry no wrappers.
const profiling = process.env.BENCH_PROFILE === "1";
const timings = profiling ? await import("./debrief-timings.ts") : null;
const profiler = profiling ? await import("./cpu-profile.ts") : null;
timings?.installTimings();

// Background work yields to acknowledgements: on a shared machine the worker runs at a lower CPU priority, as the
// README advises when web and worker share one (on separate machines or containers, it makes no difference).
const niceness = Number(process.env.BENCH_NICE ?? 0);
if (niceness) setPriority(niceness);

const config = readConfig(process.env);
const log = createLogger(config.logLevel);
const role = (process.env.BENCH_DEBRIEF_ROLE ?? "all") as Role;
const running = await startDebrief(config, { role, log });

serveParent(
  { port: running.port, pid: process.pid },
  {
    /** CPU time used so far (µs), so the bench can say what each request cost. */
    cpu: () => process.cpuUsage(),
    /** Announcements and other messages still waiting to be sent. */
    async queueDepth(): Promise<number> {
      const gauge = await running.metrics.deliveryQueueDepth.get();
      return gauge.values[0]?.value ?? 0;
    },
    /** Where the time went since the last call (BENCH_PROFILE=1), else null. */
    timings: () => timings?.takeTimings() ?? null,
    startProfile: () => profiler?.startProfile(),
    stopProfile: (path: string) => profiler?.stopProfile(path),
  },
  () => running.stop(),
);
