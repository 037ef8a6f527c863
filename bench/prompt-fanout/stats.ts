import { percentiles, type Percentiles } from "../ack-latency/stats.ts";
import type { CpuShares } from "../ack-latency/machine.ts";
import type { Limits } from "./shared.ts";

/** What a scenario's figures are made of, and how they are judged (issue 8, `bench/prompt-fanout`). */

export const TARGETS = {
  /** Debrief's p99 lateness with no rate limits, as a multiple of bare BullMQ's. */
  maxP99LatenessRatio: 1.5,
  /** With Slack-like limits: first due → last delivered, as a multiple of what the limits allow. */
  maxTotalTimeOverAllowed: 1.2,
} as const;

export interface ScenarioResult {
  name: string;
  /** Prompts (or jobs) due. */
  due: number;
  /** Distinct people (or jobs) that got their message (or run). */
  delivered: number;
  /** Due but never delivered by the end of the wait. */
  lost: number;
  /** Deliveries beyond the first to the same person (or runs beyond the first of the same job). */
  duplicates: number;
  /** Delivered (first time) minus due, ms; a prompt never delivered counts as infinitely late. */
  lateness: Percentiles;
  /** The same for the warm-up burst before it (not counted in the rest): the first burst after the worker started. */
  warmup?: Percentiles | null;
  /** Due times span: first due → last due, ms. */
  dueSpanMs: number;
  /** First due → last delivered, ms (Infinity when something was lost). */
  totalMs: number;
  /** Last due → last delivered, ms: how long the backlog took to clear once nothing more was coming. */
  drainMs: number;
  /** What the fake Slack's limits allow for these due times (first due → last send of a perfect sender), ms; null without limits. */
  allowedMs: number | null;
  limits: Limits | null;
  /** 429s the fake answered, by which limit. */
  limited: { conversation: number; workspace: number } | null;
  /** Web API calls by method. */
  calls: Record<string, number> | null;
  /** CPU time of the worker process over the scenario, ms, and per prompt. */
  workerCpuMs: number;
  /** Shares of the whole machine over the scenario (from first due to the end of the wait). */
  machine: CpuShares | null;
  /** How setup went: how long it took and how long before the first due time it finished (negative: after). */
  setup: { ms: number; marginMs: number };
  /** After the run, in Debrief's database: prompts by status, deliveries by status. */
  stored?: { prompts: Record<string, number>; deliveries: Record<string, number> };
  /** Where Debrief's lateness went, from its database's timestamps and the fake Slack's. */
  stages?: Stages;
  /** Deliveries per 5 s from the first due time (results file only). */
  timeline: number[];
}

/** One prompt's times as Debrief stored them, epoch ms. */
export interface PromptTimes {
  userId: string;
  due: number;
  /** When the prompt's job decided to send it (reflection_prompt.sent_at: the worker's clock at the job's start). */
  decided: number | null;
  /** When its message was last claimed for sending (delivery.claimed_at: Postgres's clock). */
  claimed: number | null;
  /** Claims of its message (delivery.attempts): more than one when Slack answered 429 and it was tried again. */
  attempts: number | null;
}

export interface Stages {
  /** due → the prompt job ran and sent it: BullMQ's delay, the queue of prompt jobs, the job's first read. */
  promptJob: Percentiles;
  /** prompt job ran → its message claimed (last claim): the prompt's transaction, queueing the delivery, the delivery job. */
  toClaim: Percentiles;
  /** last claim → the message at the fake Slack: the Web API call. */
  toSlack: Percentiles;
  /** Claims per message: p50, p99, max, and the mean. */
  attempts: Percentiles & { mean: number };
}

export function stagesOf(times: readonly PromptTimes[], posts: readonly (readonly [string, number])[]): Stages {
  const arrived = new Map<string, number>();
  for (const [user, at] of posts) if (!arrived.has(user)) arrived.set(user, at);
  const gaps = (f: (t: PromptTimes) => number | null) => times.map(f).filter((v): v is number => v !== null && Number.isFinite(v));
  const attempts = gaps((t) => t.attempts);
  return {
    promptJob: percentiles(gaps((t) => (t.decided === null ? null : t.decided - t.due))),
    toClaim: percentiles(gaps((t) => (t.decided === null || t.claimed === null ? null : t.claimed - t.decided))),
    toSlack: percentiles(gaps((t) => (t.claimed === null || !arrived.has(t.userId) ? null : arrived.get(t.userId)! - t.claimed))),
    attempts: { ...percentiles(attempts), mean: attempts.reduce((a, b) => a + b, 0) / Math.max(1, attempts.length) },
  };
}

/**
 * First delivery per key, against its due time: lateness, losses, duplicates, totals. `deliveries` are [key, at]
 * pairs (epoch ms) in arrival order; `dueByKey` holds every key that was due.
 */
export function summarizeDeliveries(dueByKey: ReadonlyMap<string, number>, deliveries: readonly (readonly [string, number])[]) {
  const first = new Map<string, number>();
  let duplicates = 0;
  let strangers = 0;
  for (const [key, at] of deliveries) {
    if (!dueByKey.has(key)) {
      strangers++;
      continue;
    }
    if (first.has(key)) duplicates++;
    else first.set(key, at);
  }
  const dues = [...dueByKey.values()];
  const firstDue = Math.min(...dues);
  const lastDue = Math.max(...dues);
  const late = [...dueByKey].map(([key, due]) => {
    const at = first.get(key);
    return at === undefined ? Infinity : at - due;
  });
  const lost = dueByKey.size - first.size;
  const lastAt = first.size > 0 ? Math.max(...first.values()) : NaN;
  return {
    due: dueByKey.size,
    delivered: first.size,
    lost,
    duplicates,
    /** Deliveries to someone who was not due anything (should be none). */
    strangers,
    lateness: percentiles(late),
    dueSpanMs: lastDue - firstDue,
    totalMs: lost > 0 ? Infinity : lastAt - firstDue,
    drainMs: lost > 0 ? Infinity : lastAt - lastDue,
  };
}

/**
 * What the workspace limit allows: a sender that knows the bucket sends each message at its due time or as soon as
 * the workspace has a token, whichever is later, in due order. The bucket starts full at the first due time. (The
 * per-conversation limit never binds: every prompt is to a different person.) Returns first due → last send, ms.
 */
export function allowedByLimits(dues: readonly number[], limits: Limits): number {
  const sorted = [...dues].sort((a, b) => a - b);
  const first = sorted[0]!;
  if (!limits.workspacePerMinute) return sorted.at(-1)! - first;
  const rate = limits.workspacePerMinute / 60_000;
  const burst = Math.max(1, limits.workspaceBurst);
  let tokens = burst;
  let t = first;
  for (const due of sorted) {
    const at = Math.max(due, t);
    tokens = Math.min(burst, tokens + (at - t) * rate);
    t = at;
    if (tokens < 1) {
      t += (1 - tokens) / rate;
      tokens = 1;
    }
    tokens -= 1;
  }
  return t - first;
}
