import type { Duration } from "luxon";
import type { Config } from "./config.ts";

/** The settings a periodic job's interval may follow. */
export type PeriodicSettings = Pick<Config, "sweepEvery">;

/**
 * Work that runs on its own every so often, on any one worker process: reconcile deliveries, prune requests, and next
 * the escalation sweep and reflection prompts. A feature declares its jobs; jobs/periodic.ts schedules and runs them.
 */
export interface PeriodicJob {
  /** Unique among periodic jobs, and stable: it names the job's schedule in Redis (no ':'). */
  readonly name: string;
  every(settings: PeriodicSettings): Duration;
  /** Runs once; it must be safe to run twice, or late, or after a run that failed. */
  run(): Promise<void>;
}
