import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a truthy value (and returns that), instead of sleeping for a guessed time.
 * `check` may also throw (an `expect`, say): polling goes on, and on timeout the last failure is what the test reports.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw lastError ?? new Error(`waitFor: condition still false after ${timeoutMs} ms`);
    }
    await sleep(intervalMs);
  }
}

/** A promise the test settles itself: work that waits on it is "in flight" for exactly as long as the test says. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
