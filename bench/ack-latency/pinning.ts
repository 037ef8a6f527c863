import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

/**
 * Gives one process a core of its own for a window, with `taskset` (util-linux): it goes on the last core, and the
 * bench's other processes on the rest. Postgres, Redis and other people's work are not ours to move, so they may
 * still run on its core; the pinning only stops the bench itself competing with the process measured.
 */

export interface Pinning {
  /** The core the measured process had to itself, e.g. "1". */
  core: string;
  /** Every pinned process back on every core. */
  release(): void;
}

/** Why pinning cannot be done here, or null when it can (Linux, taskset installed, at least two cores). */
export function cannotPin(): string | null {
  if (cpus().length < 2) return "one core only";
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
    return null;
  } catch {
    return "taskset not found (util-linux)";
  }
}

// -a: every thread of the process (V8's and libuv's too), not just the main one.
const setAffinity = (pid: number, list: string): void => {
  execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
};

export function pinAlone(pid: number, others: readonly number[]): Pinning {
  const last = cpus().length - 1;
  const all = `0-${last}`;
  const pinned: number[] = [];
  const release = () => {
    for (const p of pinned) {
      try {
        setAffinity(p, all);
      } catch {
        // Gone already: nothing to restore.
      }
    }
  };
  try {
    setAffinity(pid, String(last));
    pinned.push(pid);
    for (const other of others) {
      setAffinity(other, last === 1 ? "0" : `0-${last - 1}`);
      pinned.push(other);
    }
  } catch (err) {
    release();
    throw err;
  }
  return { core: String(last), release };
}
