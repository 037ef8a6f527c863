import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Facts about the machine, and who used its CPU during a phase. On a 2-core machine any other work (another
 * test run, a compiler) skews every figure, so each phase says how much of the machine was not the bench's.
 */

export function machine(): { cpus: number; cpuModel: string; node: string; platform: string } {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** The Debrief code measured: the commit, and whether src/, adapters/, jobs/ or migrations/ had changes on top of it. */
export function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "src", "adapters", "jobs", "migrations") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

interface ProcessTicks {
  ppid: number;
  name: string;
  ticks: number;
}

export interface CpuSnapshot {
  /** Whole-machine busy and total ticks (/proc/stat). */
  busy: number;
  total: number;
  processes: Map<number, ProcessTicks>;
}

/** Shares of the whole machine (all cores) over a phase. */
export interface CpuShares {
  busy: number;
  /** This bench's processes: the parent, the servers, the generator, the fake Slack. */
  bench: number;
  /** Postgres and Redis, which the bench uses but other sessions may use too. */
  services: number;
  /** Everything else: other people's work on the machine, which makes a phase noisy. */
  other: number;
}

/** Linux only; null elsewhere, and then phases are not judged for noise. */
export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle and iowait are the only fields that are not work.
    const busy = total - (fields[3] ?? 0) - (fields[4] ?? 0);
    const processes = new Map<number, ProcessTicks>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        // The name is in parentheses and may hold spaces; the numeric fields follow it.
        const close = stat.lastIndexOf(")");
        const rest = stat.slice(close + 2).split(" ");
        processes.set(Number(entry), {
          name: stat.slice(stat.indexOf("(") + 1, close),
          ppid: Number(rest[1]),
          ticks: Number(rest[11]) + Number(rest[12]), // utime + stime
        });
      } catch {
        // The process ended between listing and reading.
      }
    }
    return { busy, total, processes };
  } catch {
    return null;
  }
}

export function cpuShares(before: CpuSnapshot | null, after: CpuSnapshot | null): CpuShares | null {
  if (!before || !after || after.total === before.total) return null;
  const capacity = after.total - before.total;
  const isOurs = (pid: number): boolean => {
    for (let at = pid, hops = 0; at > 1 && hops < 20; hops++) {
      if (at === process.pid) return true;
      at = after.processes.get(at)?.ppid ?? 0;
    }
    return false;
  };
  let bench = 0;
  let services = 0;
  for (const [pid, p] of after.processes) {
    const used = p.ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (isOurs(pid)) bench += used;
    else if (p.name === "postgres" || p.name.startsWith("redis-server")) services += used;
  }
  const busy = after.busy - before.busy;
  // "Other" is what is left, so work by processes that ended during the phase is counted too.
  return { busy: busy / capacity, bench: bench / capacity, services: services / capacity, other: Math.max(0, busy - bench - services) / capacity };
}

/**
 * Waits (up to `maxWaitMs`) for a second in which other work uses at most `quietShare` of the machine; returns
 * the last second's shares, so the run can say how quiet it started.
 */
export async function waitForQuiet(maxWaitMs: number, quietShare = 0.1): Promise<CpuShares | null> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = cpuSnapshot();
    await sleep(1000);
    const shares = cpuShares(before, cpuSnapshot());
    if (shares === null || shares.other <= quietShare || Date.now() >= deadline) return shares;
  }
}
