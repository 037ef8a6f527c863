import type { Timings } from "./debrief-timings.ts";
import type { Child } from "./ipc.ts";
import type { PhaseRecord, PhaseSpec } from "./load.ts";
import { cpuShares, cpuSnapshot } from "./machine.ts";
import type { SlackObserver } from "./observer.ts";
import { summarize, type PhaseSummary } from "./stats.ts";
import type { FakeSlackInfo, Target } from "./targets.ts";

export interface PhasePlan {
  /** "tier": a window at the fixed rate in which only the acknowledging process is compared (schedule.ts). */
  kind: "warm-up" | "fixed" | "step" | "tier";
  ratePerSecond: number;
  durationMs: number;
  /** 2 when a phase is run again because other work disturbed the first; its requests get their own ids. */
  attempt?: number;
  /** Whether the acknowledging process has a core of its own during the phase (pinning.ts). */
  pinned?: boolean;
}

export interface Bench {
  /** Where per-phase CPU profiles go when the target is profiled: `<dir>/<tag>.cpuprofile`. */
  profileDir: string;
  load: Child<{ pid: number }>;
  slack: FakeSlackInfo;
  observer: SlackObserver;
}

export interface Measured {
  summary: PhaseSummary;
  record: PhaseRecord;
  /** Debrief's own breakdown of the phase, when profiling (BENCH_PROFILE=1). */
  timings: Timings | null;
}

// Give up on a request after this long: well past Slack's 3 s, so the slowest answers are still measured.
const REQUEST_TIMEOUT_MS = 10_000;

// The longest a step's backlog of queued commands may take to drain before its missing replies count as lost.
const DRAIN_TIMEOUT_MS = 180_000;

export const tagFor = (target: Target, plan: PhasePlan): string =>
  `${target.name}-${plan.kind}-${plan.ratePerSecond}${plan.pinned ? "-pinned" : ""}${plan.attempt && plan.attempt > 1 ? `-r${plan.attempt}` : ""}`;

/** CPU time used so far (ms) by the target's acknowledging process, and by all its processes (a worker too). */
async function serverCpuMs(target: Target): Promise<{ acknowledging: number; all: number }> {
  const usages = await Promise.all([target.server, ...target.helpers].map((p) => p.call<NodeJS.CpuUsage>("cpu")));
  const ms = usages.map((u) => (u.user + u.system) / 1000);
  return { acknowledging: ms[0]!, all: ms.reduce((a, b) => a + b, 0) };
}

/** One phase against one target: the load, then (for Debrief) the replies it owes, then the summary. */
export async function measure(bench: Bench, target: Target, plan: PhasePlan): Promise<Measured> {
  const spec: PhaseSpec = {
    tag: tagFor(target, plan),
    url: target.endpoint,
    ratePerSecond: plan.ratePerSecond,
    durationMs: plan.durationMs,
    responseUrlPrefix: bench.slack.responseUrlPrefix,
    timeoutMs: REQUEST_TIMEOUT_MS,
  };
  if (target.profiled) {
    await target.server.call("timings"); // starts the phase's tally afresh
    await target.server.call("startProfile");
    for (const helper of target.helpers) await helper.call("startProfile");
  }
  const cpuBefore = await serverCpuMs(target);
  const machineBefore = cpuSnapshot();
  // Experiment (BENCH_WEB_ALONE=1): the worker is stopped while the load runs and resumed to drain the queue after,
  // so the acknowledgements are measured as they would be with workers on machines of their own.
  const paused = process.env.BENCH_WEB_ALONE === "1" && plan.kind !== "warm-up" ? target.helpers : [];
  for (const helper of paused) process.kill(helper.info.pid, "SIGSTOP");
  const record = await bench.load.call<PhaseRecord>("phase", spec).finally(() => {
    for (const helper of paused) process.kill(helper.info.pid, "SIGCONT");
  });
  const machineAfter = cpuSnapshot();
  // The acknowledging process's CPU over the load alone, before any wait for replies: its cost per acknowledgement.
  const cpuAfterLoad = await serverCpuMs(target);

  if (target.replies) {
    const acked = record.status.filter((s) => s === 200).length;
    // Replies still on their way are waited for, so a slow reply is measured rather than counted missing, and the next
    // step starts with the command queue drained. While replies keep coming the wait goes on, up to DRAIN_TIMEOUT_MS.
    await bench.observer.waitUntil(() => bench.observer.repliesFor(spec.tag).length >= acked, { quietMs: 5000, timeoutMs: DRAIN_TIMEOUT_MS });
  }
  const cpuAfter = await serverCpuMs(target);
  const timings = target.profiled ? await target.server.call<Timings>("timings") : null;
  if (target.profiled) {
    await target.server.call("stopProfile", `${bench.profileDir}/${spec.tag}.cpuprofile`);
    for (const [i, helper] of target.helpers.entries()) await helper.call("stopProfile", `${bench.profileDir}/${spec.tag}-worker${i + 1}.cpuprofile`);
  }

  const summary = summarize({
    target: target.name,
    kind: plan.kind,
    record,
    replies: target.replies ? bench.observer.repliesFor(spec.tag) : null,
    announcements: target.replies ? bench.observer.announcementsFor(spec.tag) : null,
    serverCpuMs: cpuAfter.all - cpuBefore.all,
    ackCpuMs: cpuAfterLoad.acknowledging - cpuBefore.acknowledging,
    machine: cpuShares(machineBefore, machineAfter),
  });
  return { summary, record, timings };
}
