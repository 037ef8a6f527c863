import type { AnnouncementSeen, ReplySeen } from "./fake-slack-server.ts";
import type { PhaseRecord } from "./load.ts";
import type { CpuShares } from "./machine.ts";

/** Slack shows the user an error when a command is not acknowledged within 3 seconds. */
export const SLACK_ACK_DEADLINE_MS = 3000;

/**
 * What "sustained" means for one step: the rate was served, in time, by the clock. Every condition must hold.
 * Written here once; the README repeats it.
 */
export const SUSTAINED = {
  /** Share of requests answered HTTP 200 within Slack's 3 s. */
  minAnsweredInTime: 0.99,
  /** Achieved rate (200s per second over the span they arrived in; see completionRate) as a share of the offered rate. */
  minAchievedShare: 0.95,
  /** p99 acknowledgement latency, counting unanswered requests as infinitely slow. */
  maxP99AckMs: 1000,
  /**
   * Debrief only: share of requests whose "Logged INC-n" reply reached the response_url, however late (the bench waits
   * for the queue to drain): an acknowledged command that was never answered would be a lost incident.
   */
  minReplied: 0.99,
  /** The generator's own scheduling delay, p99: above it the step measured the generator, not the server. */
  maxP99GeneratorLagMs: 50,
} as const;

/**
 * Whether Debrief's workers kept up with the step as well: the user's reply came within Slack's 3 s, and incidents were
 * logged as fast as they were offered. Above this rate, acknowledged commands wait in the queue and replies come later.
 */
export const KEPT_UP = {
  /** p99 from sending the command to its "Logged" reply arriving (missing replies count as infinitely slow). */
  maxP99ReplyMs: 3000,
  /** Incidents logged per second ("Logged" replies over the span they arrived in) as a share of the offered rate. */
  minLoggedShare: 0.95,
} as const;

/** A phase during which other work took more than this share of the machine (all cores) is marked noisy. */
export const NOISY_OTHER_SHARE = 0.1;

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PhaseSummary {
  target: string;
  /** "warm-up", "fixed" or "step". */
  kind: string;
  offeredPerSecond: number;
  durationMs: number;
  requests: number;
  achievedPerSecond: number;
  /** Send → HTTP 200, ms; requests without a 200 count as Infinity. */
  ack: Percentiles;
  answered200: number;
  answeredInTime: number;
  /** Requests without a 200 (other statuses and failures), and their kinds. */
  errors: number;
  errorKinds: Record<string, number>;
  generatorLag: { p99: number; max: number };
  /** Send → the reply at the response_url, ms (Debrief only); missing replies count as Infinity. */
  reply: (Percentiles & { ok: number; notOk: number; missing: number; loggedPerSecond: number }) | null;
  /** Announcements the fake Slack received for this phase's requests, by the time of the summary. */
  announcements: AnnouncementTally | null;
  cpu: {
    /** CPU of all the target's processes (Debrief's worker too), from the phase's start until its replies were in. */
    serverMsPerRequest: number;
    /** CPU of the process that acknowledges (Debrief's web process) during the load, per request answered 200. */
    ackMsPerCommand: number;
    generatorMs: number;
    machine: CpuShares | null;
  };
  /** Other work took more than NOISY_OTHER_SHARE of the machine during the phase. */
  noisy: boolean;
  sustained: { ok: boolean; reasons: string[] } | null;
  /** Debrief only: whether replies kept up (KEPT_UP), and if not, why. */
  keptUp: { ok: boolean; reasons: string[] } | null;
}

/**
 * Completions per second over the span they arrived in (first to last, plus one send interval), or over the phase
 * if that is longer. A server that keeps up with a steady latency completes in a span as long as the phase, so it
 * scores the offered rate; one falling behind spreads its completions over longer and scores less.
 */
export function completionRate(completedAtMs: readonly number[], durationMs: number): number {
  const n = completedAtMs.length;
  if (n === 0) return 0;
  const first = completedAtMs.reduce((m, x) => Math.min(m, x), Infinity);
  const last = completedAtMs.reduce((m, x) => Math.max(m, x), -Infinity);
  return n / (Math.max(durationMs, last - first + durationMs / n) / 1000);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

export interface SummaryInput {
  target: string;
  kind: string;
  record: PhaseRecord;
  /** The replies seen for this phase's requests, for a target that replies. */
  replies: ReplySeen[] | null;
  announcements: AnnouncementSeen[] | null;
  serverCpuMs: number;
  /** The acknowledging process's CPU during the load. */
  ackCpuMs: number;
  machine: CpuShares | null;
}

export function summarize({ target, kind, record, replies, announcements, serverCpuMs, ackCpuMs, machine }: SummaryInput): PhaseSummary {
  const { spec, dueMs, lagMs, ackMs, status } = record;
  const n = status.length;
  const sentAt = (i: number) => dueMs[i]! + lagMs[i]!;
  const ok = (i: number) => status[i] === 200;

  let answered200 = 0;
  let answeredInTime = 0;
  const answeredAt: number[] = [];
  const ackLatencies: number[] = [];
  const errorKinds: Record<string, number> = { ...record.failures };
  for (let i = 0; i < n; i++) {
    if (ok(i)) {
      answered200++;
      if (ackMs[i]! <= SLACK_ACK_DEADLINE_MS) answeredInTime++;
      answeredAt.push(sentAt(i) + ackMs[i]!);
      ackLatencies.push(ackMs[i]!);
    } else {
      ackLatencies.push(Infinity);
      if (status[i]! > 0) errorKinds[`HTTP ${status[i]}`] = (errorKinds[`HTTP ${status[i]}`] ?? 0) + 1;
    }
  }

  let reply: PhaseSummary["reply"] = null;
  if (replies) {
    const byId = new Map(replies.map((r) => [r.id, r]));
    const latencies: number[] = [];
    let okReplies = 0;
    let notOk = 0;
    const okAt: number[] = [];
    for (let i = 0; i < n; i++) {
      const seen = byId.get(`${spec.tag}.${i}`);
      if (seen?.ok) {
        okReplies++;
        okAt.push(seen.at - record.startEpochMs);
      } else if (seen) notOk++;
      // A reply that says nothing was saved is no answer for the user; nor is none.
      latencies.push(seen?.ok ? seen.at - (record.startEpochMs + sentAt(i)) : Infinity);
    }
    // Incidents logged per second: what Debrief really got through.
    const loggedPerSecond = completionRate(okAt, spec.durationMs);
    reply = { ...percentiles(latencies), ok: okReplies, notOk, missing: n - okReplies - notOk, loggedPerSecond };
  }

  const announced = announcements ? tallyAnnouncements(announcements, replies ?? [], record) : null;

  const summary: PhaseSummary = {
    target,
    kind,
    offeredPerSecond: spec.ratePerSecond,
    durationMs: spec.durationMs,
    requests: n,
    achievedPerSecond: completionRate(answeredAt, spec.durationMs),
    ack: percentiles(ackLatencies),
    answered200,
    answeredInTime,
    errors: n - answered200,
    errorKinds,
    generatorLag: { p99: percentile([...lagMs].sort((a, b) => a - b), 99), max: lagMs.reduce((m, x) => Math.max(m, x), 0) },
    reply,
    announcements: announced,
    cpu: { serverMsPerRequest: serverCpuMs / Math.max(1, n), ackMsPerCommand: ackCpuMs / Math.max(1, answered200), generatorMs: record.cpuMs, machine },
    noisy: (machine?.other ?? 0) > NOISY_OTHER_SHARE,
    sustained: null,
    keptUp: null,
  };
  summary.sustained = judge(summary);
  summary.keptUp = judgeKeepingUp(summary);
  return summary;
}

export interface AnnouncementTally {
  received: number;
  /** Requests announced at least once; fewer than `received` means something was announced twice. */
  distinct: number;
  /** When the last one arrived, after the phase's last send. */
  lastAfterMs: number | null;
  /** Requests announced although their reply said nothing was saved (or never came): the user was told wrong. */
  announcedWithoutOkReply: string[];
  /** Requests replied "Logged" but never announced. */
  okReplyNotAnnounced: number;
}

export function tallyAnnouncements(announcements: AnnouncementSeen[], replies: ReplySeen[], record: PhaseRecord): AnnouncementTally {
  const announced = new Set(announcements.map((a) => a.id));
  const okReplies = new Set(replies.filter((r) => r.ok).map((r) => r.id));
  const last = announcements.reduce((m, a) => Math.max(m, a.at), 0);
  return {
    received: announcements.length,
    distinct: announced.size,
    lastAfterMs: announcements.length ? last - (record.startEpochMs + record.spec.durationMs) : null,
    announcedWithoutOkReply: [...announced].filter((id) => id !== null && !okReplies.has(id)) as string[],
    okReplyNotAnnounced: [...okReplies].filter((id) => !announced.has(id)).length,
  };
}

/** Whether a phase was sustained, and if not, every reason why. */
export function judge(s: PhaseSummary): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (s.answeredInTime < SUSTAINED.minAnsweredInTime * s.requests) reasons.push(`only ${pct(s.answeredInTime / s.requests)} answered 200 within 3 s`);
  if (s.achievedPerSecond < SUSTAINED.minAchievedShare * s.offeredPerSecond) reasons.push(`achieved ${s.achievedPerSecond.toFixed(0)}/s of ${s.offeredPerSecond}/s`);
  if (!(s.ack.p99 < SUSTAINED.maxP99AckMs)) reasons.push(`p99 ack ${fmtMs(s.ack.p99)} ms`);
  if (s.reply) {
    if (s.reply.ok < SUSTAINED.minReplied * s.requests) reasons.push(`only ${pct(s.reply.ok / s.requests)} got their reply`);
  }
  if (s.generatorLag.p99 > SUSTAINED.maxP99GeneratorLagMs) reasons.push(`generator fell behind (lag p99 ${fmtMs(s.generatorLag.p99)} ms)`);
  return { ok: reasons.length === 0, reasons };
}

/** Whether replies kept up with the step (KEPT_UP); null for a target that does not reply. */
export function judgeKeepingUp(s: PhaseSummary): { ok: boolean; reasons: string[] } | null {
  if (!s.reply) return null;
  const reasons: string[] = [];
  if (!(s.reply.p99 < KEPT_UP.maxP99ReplyMs)) reasons.push(`p99 reply ${fmtMs(s.reply.p99)} ms`);
  if (s.reply.loggedPerSecond < KEPT_UP.minLoggedShare * s.offeredPerSecond) reasons.push(`logged ${s.reply.loggedPerSecond.toFixed(0)}/s`);
  return { ok: reasons.length === 0, reasons };
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "inf";
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}
