import { TARGETS, type ScenarioResult } from "./stats.ts";

/** The run's table, one column per scenario, and what it says against the targets. */

const ms = (v: number | null | undefined): string => {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return "∞";
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(2)} s`;
  return `${v.toFixed(v < 10 ? 2 : 0)} ms`;
};
const pct = (v: number | undefined) => (v === undefined ? "–" : `${(v * 100).toFixed(0)} %`);

export function table(results: readonly ScenarioResult[]): string {
  const rows: [string, (r: ScenarioResult) => string][] = [
    ["due", (r) => String(r.due)],
    ["delivered (distinct people)", (r) => String(r.delivered)],
    ["lost", (r) => String(r.lost)],
    ["duplicates", (r) => String(r.duplicates)],
    ["lateness p50", (r) => ms(r.lateness.p50)],
    ["lateness p99", (r) => ms(r.lateness.p99)],
    ["lateness max", (r) => ms(r.lateness.max)],
    ["first burst after start (warm-up, not counted): p50 / p99 / max", (r) => (r.warmup ? `${ms(r.warmup.p50)} / ${ms(r.warmup.p99)} / ${ms(r.warmup.max)}` : "–")],
    ["total time (first due → last delivered)", (r) => ms(r.totalMs)],
    ["drain (last due → last delivered)", (r) => ms(r.drainMs)],
    ["what the limits allow", (r) => (r.allowedMs === null ? "–" : ms(r.allowedMs))],
    ["429s (conversation / workspace)", (r) => (r.limited ? `${r.limited.conversation} / ${r.limited.workspace}` : "–")],
    ["chat.postMessage calls", (r) => (r.calls ? String(r.calls["chat.postMessage"] ?? 0) : "–")],
    ["· due → prompt job sent it, p50 / p99", (r) => (r.stages ? `${ms(r.stages.promptJob.p50)} / ${ms(r.stages.promptJob.p99)}` : "–")],
    ["· → its message claimed, p50 / p99", (r) => (r.stages ? `${ms(r.stages.toClaim.p50)} / ${ms(r.stages.toClaim.p99)}` : "–")],
    ["· claimed → at Slack, p50 / p99", (r) => (r.stages ? `${ms(r.stages.toSlack.p50)} / ${ms(r.stages.toSlack.p99)}` : "–")],
    ["claims per message, mean / max", (r) => (r.stages ? `${r.stages.attempts.mean.toFixed(2)} / ${r.stages.attempts.max}` : "–")],
    ["worker CPU per prompt", (r) => ms(r.workerCpuMs / Math.max(1, r.due))],
    ["machine busy / Postgres+Redis / others", (r) => (r.machine ? `${pct(r.machine.busy)} / ${pct(r.machine.services)} / ${pct(r.machine.other)}` : "–")],
    ["setup (margin before first due)", (r) => `${ms(r.setup.ms)} (${ms(r.setup.marginMs)})`],
    ["stored prompts / deliveries", (r) => (r.stored ? `${fmt(r.stored.prompts)} / ${fmt(r.stored.deliveries)}` : "–")],
  ];
  const header = `| | ${results.map((r) => r.name).join(" | ")} |`;
  const rule = `|---|${results.map(() => "--:").join("|")}|`;
  return [header, rule, ...rows.map(([label, f]) => `| ${label} | ${results.map(f).join(" | ")} |`)].join("\n");
}

const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

export function conclusions(results: readonly ScenarioResult[]): string {
  const bare = results.find((r) => r.name === "bare BullMQ");
  const free = results.find((r) => r.name === "Debrief, no limits");
  const limited = results.find((r) => r.name === "Debrief, Slack-like limits");
  const lines: string[] = [];
  if (bare && free) {
    const ratio = free.lateness.p99 / bare.lateness.p99;
    const ok = ratio <= TARGETS.maxP99LatenessRatio && free.lost === 0 && free.duplicates === 0;
    lines.push(
      `No limits: Debrief p99 lateness ÷ bare BullMQ p99 = ${ms(free.lateness.p99)} ÷ ${ms(bare.lateness.p99)} = ${ratio.toFixed(2)} ` +
        `(target ≤ ${TARGETS.maxP99LatenessRatio}): ${ok ? "MET" : "MISSED"}; ${free.lost} lost, ${free.duplicates} duplicates.`,
    );
  }
  if (limited && limited.allowedMs !== null) {
    const ratio = limited.totalMs / limited.allowedMs;
    const ok = limited.lost === 0 && limited.duplicates === 0 && ratio <= TARGETS.maxTotalTimeOverAllowed;
    lines.push(
      `Slack-like limits: total ${ms(limited.totalMs)} ÷ allowed ${ms(limited.allowedMs)} = ${ratio.toFixed(2)} ` +
        `(target ≤ ${TARGETS.maxTotalTimeOverAllowed}, nothing lost): ${ok ? "MET" : "MISSED"}; ${limited.lost} lost, ${limited.duplicates} duplicates.`,
    );
  }
  for (const r of results) {
    if (r.setup.marginMs < 0) lines.push(`${r.name}: setup ended ${ms(-r.setup.marginMs)} after the first due time; raise BENCH_PROMPTS_LEAD_S.`);
    if (r.machine && r.machine.other > 0.1) lines.push(`${r.name}: other work used ${pct(r.machine.other)} of the machine; its figures are noisy.`);
  }
  return lines.join("\n");
}
