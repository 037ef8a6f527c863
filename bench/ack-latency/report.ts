import type { Timings } from "./debrief-timings.ts";
import { fmtMs, type PhaseSummary } from "./stats.ts";

/** The printed result: one table with both targets side by side, the acknowledging tier's, then the targets met or missed. */

export const TARGETS = {
  /** Debrief's p99 ack at 200/s may be at most this multiple of bare Bolt's. */
  maxP99Ratio: 1.5,
  /** Debrief's highest sustained rate must be at least this share of bare Bolt's. */
  minSustainedRatio: 0.67,
  /** Debrief's web process's CPU per acknowledged command may be at most this multiple of the durable floor's (redis-ack). */
  maxAckCpuRatio: 1.2,
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
  return formatTable([COLUMNS, ...results.flatMap((r) => [r.fixed, ...r.steps].map(row))]);
}

/** A header row and data rows, lined up: the first two columns to the left, the rest to the right, the last ragged. */
function formatTable(rows: string[][]): string {
  const header = rows[0]!;
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

// ── the acknowledging tier ───────────────────────────────────────────────────

export interface TierResult {
  name: string;
  unpinned: PhaseSummary;
  /** The same window with the acknowledging process on a core of its own; null when the machine cannot pin. */
  pinned: PhaseSummary | null;
}

/** What each process has done with a command by the time it acknowledges it. */
const ACKNOWLEDGES_AFTER: Record<string, string> = {
  "bare-bolt": "nothing",
  "redis-ack": "one Redis XADD",
  "postgres-ack": "one Postgres INSERT",
  debrief: "its command queue (web process)",
};

/** The process every other one's CPU per acknowledgement is compared with: the cheapest durable acknowledgement. */
export const DURABLE_FLOOR = "redis-ack";

const TIER_COLUMNS = ["peer", "acknowledges after", "p50 ms", "p99 ms", "CPU ms/ack", "others' CPU", "pinned: p50 ms", "p99 ms", "CPU ms/ack", "others' CPU", "errors"];

const cpuPerAck = (s: PhaseSummary): string => s.cpu.ackMsPerCommand.toFixed(3);

function tierRow({ name, unpinned, pinned }: TierResult): string[] {
  const window = (s: PhaseSummary | null) => (s ? [fmtMs(s.ack.p50), fmtMs(s.ack.p99), cpuPerAck(s), othersCpu(s)] : ["-", "-", "-", "-"]);
  return [name, ACKNOWLEDGES_AFTER[name] ?? "?", ...window(unpinned), ...window(pinned), `${unpinned.errors} / ${pinned?.errors ?? "-"}`];
}

/** Every acknowledging process side by side: latency and CPU per acknowledged command, unpinned and pinned. */
export function tierTable(results: TierResult[]): string {
  return formatTable([TIER_COLUMNS, ...results.map(tierRow)]);
}

export interface TierVerdict {
  /** Debrief's web process's CPU per acknowledgement ÷ the durable floor's, unpinned and (if measured) pinned. */
  unpinnedRatio: number;
  pinnedRatio: number | null;
  pass: boolean;
}

export function tierVerdict(results: TierResult[]): TierVerdict | null {
  const floor = results.find((r) => r.name === DURABLE_FLOOR);
  const debrief = results.find((r) => r.name === "debrief");
  if (!floor || !debrief) return null;
  const ratio = (a: PhaseSummary | null, b: PhaseSummary | null) => (a && b ? a.cpu.ackMsPerCommand / b.cpu.ackMsPerCommand : null);
  const unpinnedRatio = ratio(debrief.unpinned, floor.unpinned)!;
  const pinnedRatio = ratio(debrief.pinned, floor.pinned);
  return { unpinnedRatio, pinnedRatio, pass: [unpinnedRatio, pinnedRatio].every((r) => r === null || r <= TARGETS.maxAckCpuRatio) };
}

export function tierConclusions(results: TierResult[], v: TierVerdict | null): string {
  if (!v) return "";
  const floor = results.find((r) => r.name === DURABLE_FLOOR)!;
  const debrief = results.find((r) => r.name === "debrief")!;
  const line = (label: string, d: PhaseSummary | null, f: PhaseSummary | null, r: number | null) =>
    d && f && r !== null
      ? `Debrief web CPU per ack ÷ ${DURABLE_FLOOR}'s, ${label}: ${cpuPerAck(d)} ÷ ${cpuPerAck(f)} ms = ${r.toFixed(2)} (target ≤ ${TARGETS.maxAckCpuRatio}) ${mark(r <= TARGETS.maxAckCpuRatio)}`
      : `Debrief web CPU per ack, ${label}: not measured`;
  return [
    line("unpinned", debrief.unpinned, floor.unpinned, v.unpinnedRatio),
    line("pinned", debrief.pinned, floor.pinned, v.pinnedRatio),
    "  (CPU per ack is the acknowledging process's own user+system time over the window ÷ requests answered 200: the stores' servers, Postgres and Redis, are not in it)",
  ].join("\n");
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
    `ack p50/p99 ${fmtMs(s.ack.p50)}/${fmtMs(s.ack.p99)} ms, CPU ${cpuPerAck(s)} ms/ack, errors ${s.errors}${reply}, others' CPU ${othersCpu(s)}${verdict}${keptUp}`
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
