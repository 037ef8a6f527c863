import type { Timings } from "./debrief-timings.ts";
import { fmtMs, type PhaseSummary } from "./stats.ts";

/** The printed result: one table with both targets side by side, then the targets met or missed. */

export const TARGETS = {
  /** Debrief's p99 ack at 200/s may be at most this multiple of bare Bolt's. */
  maxP99Ratio: 1.5,
  /** Debrief's highest sustained rate must be at least this share of bare Bolt's. */
  minSustainedRatio: 0.67,
} as const;

export interface TargetResult {
  name: string;
  fixed: PhaseSummary;
  steps: PhaseSummary[];
  /** The highest step sustained (0 if none), and whether every step was, so the bench's ceiling was the limit. */
  maxSustained: number;
  /** Debrief: the highest rate measured at which replies also kept up (p99 reply < 3 s); null for bare Bolt. */
  maxKeptUp: number | null;
  ceilingReached: boolean;
}

export interface Verdict {
  p99Ratio: number;
  p99Pass: boolean;
  sustainedRatio: number;
  sustainedPass: boolean;
}

export function verdict(bare: TargetResult, debrief: TargetResult): Verdict {
  const p99Ratio = debrief.fixed.ack.p99 / bare.fixed.ack.p99;
  const sustainedRatio = bare.maxSustained > 0 ? debrief.maxSustained / bare.maxSustained : NaN;
  return {
    p99Ratio,
    p99Pass: p99Ratio <= TARGETS.maxP99Ratio,
    sustainedRatio,
    sustainedPass: sustainedRatio >= TARGETS.minSustainedRatio,
  };
}

const COLUMNS = [
  "target", "phase", "offered/s", "achieved/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors",
  "replied", "logged/s", "reply p50", "reply p99", "kept up", "others' CPU", "sustained",
];

/** How much of the machine other people's work took during the phase; "!" marks a noisy phase. */
export const othersCpu = (s: PhaseSummary): string =>
  s.cpu.machine ? `${(s.cpu.machine.other * 100).toFixed(0)}%${s.noisy ? "!" : ""}` : "?";

function row(s: PhaseSummary): string[] {
  return [
    s.target,
    s.kind === "fixed" ? `fixed ${s.durationMs / 1000}s` : `step ${s.durationMs / 1000}s`,
    String(s.offeredPerSecond),
    s.achievedPerSecond.toFixed(0),
    fmtMs(s.ack.p50),
    fmtMs(s.ack.p90),
    fmtMs(s.ack.p99),
    fmtMs(s.ack.max),
    String(s.errors),
    s.reply ? `${((100 * s.reply.ok) / s.requests).toFixed(1)}%` : "-",
    s.reply ? s.reply.loggedPerSecond.toFixed(0) : "-",
    s.reply ? fmtMs(s.reply.p50) : "-",
    s.reply ? fmtMs(s.reply.p99) : "-",
    s.keptUp ? (s.keptUp.ok ? "yes" : "no") : "-",
    othersCpu(s),
    s.sustained?.ok ? "yes" : `no: ${s.sustained?.reasons.join("; ")}`,
  ];
}

export function table(results: TargetResult[]): string {
  const rows = [COLUMNS, ...results.flatMap((r) => [r.fixed, ...r.steps].map(row))];
  // The last column (reasons) is left ragged; the others are padded to line up.
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(rows[0]!), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

const mark = (pass: boolean) => (pass ? "PASS" : "MISS");

export function conclusions(bare: TargetResult, debrief: TargetResult, v: Verdict): string {
  const most = (r: TargetResult) => `${r.maxSustained}/s${r.ceilingReached ? " (every step sustained: the bench's ceiling, not the server's)" : ""}`;
  const lines = [
    `Highest sustained rate: bare Bolt ${most(bare)}, Debrief ${most(debrief)}`,
    `Debrief p99 ÷ bare Bolt p99 at ${debrief.fixed.offeredPerSecond}/s: ${fmtMs(debrief.fixed.ack.p99)} ÷ ${fmtMs(bare.fixed.ack.p99)} ms = ${v.p99Ratio.toFixed(2)} (target ≤ ${TARGETS.maxP99Ratio}) ${mark(v.p99Pass)}`,
    `Debrief max sustained ÷ bare Bolt max sustained: ${debrief.maxSustained} ÷ ${bare.maxSustained} = ${v.sustainedRatio.toFixed(2)} (target ≥ ${TARGETS.minSustainedRatio}) ${mark(v.sustainedPass)}`,
  ];
  if (debrief.maxKeptUp !== null) {
    lines.push(`Highest rate at which Debrief's replies also kept up (p99 reply < 3 s, logged/s ≥ 95% of offered): ${debrief.maxKeptUp}/s; above it, acknowledged commands wait in the queue`);
  }
  if (bare.ceilingReached) lines.push("  (bare Bolt sustained every step, so its true maximum is higher and the real ratio lower)");
  const noisy = [bare.fixed, debrief.fixed].filter((s) => s.noisy);
  if (noisy.length > 0) {
    lines.push(`  (other work took over 10% of the machine during ${noisy.map((s) => `${s.target}'s fixed phase`).join(" and ")}: the p99 ratio is skewed by it)`);
  }
  return lines.join("\n");
}

/** Whether every successful quick log of the fixed phase was announced exactly once, and nothing else was. */
export function announcementCheck(fixed: PhaseSummary): { ok: boolean; text: string } {
  const a = fixed.announcements;
  if (!a) return { ok: false, text: "Announcements: not observed" };
  const logged = fixed.reply?.ok ?? fixed.answered200;
  const ok = a.received === logged && a.distinct === logged && a.announcedWithoutOkReply.length === 0;
  const when = a.lastAfterMs === null ? "" : `, the last ${(a.lastAfterMs / 1000).toFixed(1)} s after the phase ended`;
  const lines = [
    ok
      ? `Announcements at ${fixed.offeredPerSecond}/s: ${a.received} received for ${logged} incidents replied "Logged", each exactly once${when}. OK`
      : `Announcements at ${fixed.offeredPerSecond}/s: ${a.received} received (${a.distinct} distinct) for ${logged} incidents replied "Logged"${when}. MISMATCH`,
  ];
  if (a.announcedWithoutOkReply.length > 0) {
    lines.push(`  announced although the user was told nothing was saved (or got no reply): ${a.announcedWithoutOkReply.length} (${a.announcedWithoutOkReply.slice(0, 5).join(", ")})`);
  }
  if (a.okReplyNotAnnounced > 0) lines.push(`  replied "Logged" but never announced: ${a.okReplyNotAnnounced}`);
  return { ok, text: lines.join("\n") };
}

/** One line per phase as the bench goes. */
export function progressLine(s: PhaseSummary): string {
  const reply = s.reply ? `, reply p50/p99 ${fmtMs(s.reply.p50)}/${fmtMs(s.reply.p99)} ms` : "";
  const verdict = s.kind === "warm-up" ? "" : s.sustained?.ok ? " — sustained" : ` — not sustained: ${s.sustained?.reasons.join("; ")}`;
  const keptUp = s.keptUp && !s.keptUp.ok ? ` (replies behind: ${s.keptUp.reasons.join("; ")})` : "";
  return (
    `  ${s.kind.padEnd(7)} ${String(s.offeredPerSecond).padStart(5)}/s: achieved ${s.achievedPerSecond.toFixed(0)}/s, ` +
    `ack p50/p99 ${fmtMs(s.ack.p50)}/${fmtMs(s.ack.p99)} ms, errors ${s.errors}${reply}, others' CPU ${othersCpu(s)}${verdict}${keptUp}`
  );
}

/** One line of where Debrief's time went in a phase (BENCH_PROFILE=1). */
export function breakdownLine(t: Timings): string {
  const d = (name: string, x: Timings["series"]["query"]) => `${name} p50/p99 ${fmtMs(x.p50)}/${fmtMs(x.p99)}`;
  const s = t.series;
  return [
    `event loop busy ${(t.eventLoopUtilization * 100).toFixed(0)}%, delay p99 ${fmtMs(t.eventLoopDelayMs.p99)}`,
    d("pool wait", s.poolWait),
    d("transaction", s.transaction),
    d("incident-number lock+update", s.incidentNumber),
    `${d("query", s.query)} (${s.query.count})`,
    d("respond()", s.respond),
  ].join(" · ") + ` ms · failed COMMITs ${t.failedCommits}`;
}
