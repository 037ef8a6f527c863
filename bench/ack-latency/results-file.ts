import { writeFileSync } from "node:fs";
import type { Measured } from "./measure.ts";
import type { SlackObserver } from "./observer.ts";

/** The raw results of a run, as JSON in bench/results/ (git-ignored); Infinity is written as null. */

export interface RunRecord {
  summary: Record<string, unknown>;
  raw: Measured[];
  observer: SlackObserver;
}

export function writeResults(path: string, { summary, raw, observer }: RunRecord): void {
  writeFileSync(
    path,
    JSON.stringify({
      ...summary,
      fakeSlack: { apiCalls: observer.apiCalls, otherReplies: observer.otherReplies, unmatchedAnnouncements: observer.unmatchedAnnouncements },
      // Per request, in send order: when it was due, the generator's lag, the ack latency (-1: none), the status, and
      // (for a target that replies) the time to its "Logged" reply (null: none came). Every attempt of every phase.
      raw: raw.map(({ summary: phase, record, timings }) => ({
        target: phase.target,
        kind: phase.kind,
        summary: phase,
        timings,
        spec: record.spec,
        startEpochMs: record.startEpochMs,
        failures: record.failures,
        dueMs: record.dueMs.map(round),
        lagMs: record.lagMs.map(round),
        ackMs: record.ackMs.map(round),
        status: record.status,
        replyMs: phase.reply ? replyLatencies(observer, record) : undefined,
      })),
    }),
  );
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function replyLatencies(observer: SlackObserver, record: Measured["record"]): (number | null)[] {
  const okAt = new Map(observer.repliesFor(record.spec.tag).filter((r) => r.ok).map((r) => [r.id, r.at]));
  return record.dueMs.map((due, n) => {
    const at = okAt.get(`${record.spec.tag}.${n}`);
    return at === undefined ? null : round(at - (record.startEpochMs + due + record.lagMs[n]!));
  });
}

