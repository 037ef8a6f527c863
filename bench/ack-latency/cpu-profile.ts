import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

/**
 * A V8 CPU profile per phase of a server under test (BENCH_PROFILE=1), read with profile-summary.ts. The parent starts
 * and stops it around each phase, so a quiet step and an overloaded one can be told apart (--cpu-prof would mix them).
 */

const inspector = new Session();
let profiling = false;

export async function startProfile(): Promise<void> {
  if (!profiling) {
    inspector.connect();
    await inspector.post("Profiler.enable");
    profiling = true;
  }
  await inspector.post("Profiler.start");
}

/** Stops the phase's profile and writes it where the parent asks, for profile-summary.ts. */
export async function stopProfile(path: string): Promise<void> {
  const { profile } = await inspector.post("Profiler.stop");
  writeFileSync(path, JSON.stringify(profile));
}
