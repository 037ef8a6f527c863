import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { readConfig } from "../../src/config.ts";
import { admin } from "../../test/support/postgres.ts";
import { startChild, type Child } from "../ack-latency/ipc.ts";
import { cpuShares, cpuSnapshot, machine, revision, waitForQuiet } from "../ack-latency/machine.ts";
import { provision, type Resources } from "../ack-latency/resources.ts";
import { NOISY_OTHER_SHARE } from "../ack-latency/stats.ts";
import type { Seen, SlackProgress } from "./fake-slack-server.ts";
import { BARE_CONCURRENCY, NO_LIMITS, type Limits, type Progress } from "./shared.ts";
import { conclusions, table } from "./report.ts";
import { seedBare, seedDebrief, userIdOf } from "./seed.ts";
import { allowedByLimits, stagesOf, summarizeDeliveries, type PromptTimes, type ScenarioResult } from "./stats.ts";

/**
 * `npm run bench:prompts`: N reflection prompts due within one minute, for N different people, through Debrief's real
 * worker (startDebrief, role "worker", Postgres, Redis, the Slack adapter) to a fake Slack in its own process; and, in
 * the same run, the same number of bare BullMQ delayed jobs with a no-op processor, due at the same offsets. See
 * bench/README.md ("prompt-fanout") for what is measured and why.
 */

const env = process.env;
const number = (name: string, fallback: number) => (env[name] === undefined || env[name] === "" ? fallback : Number(env[name]));

const N = number("BENCH_PROMPTS_N", 10_000);
/** Due times are spread evenly over this many seconds (0: every prompt due at the same instant). */
const SPREAD_S = number("BENCH_PROMPTS_SPREAD_S", 60);
/** People per incident (the reporter and those involved), each prompted once. */
const PER_INCIDENT = number("BENCH_PROMPTS_PER_INCIDENT", 5);
/**
 * From the start of setup to the first due time (for Debrief, the REFLECTION_SCHEDULE offset). Setup must end before
 * it: queueing bare jobs takes a second or two, planning Debrief's prompts 10–40 s for 10,000 on a busy 2-core machine.
 */
const leadS = (count: number, kind: "bare" | "debrief", warmup = 0) =>
  number("BENCH_PROMPTS_LEAD_S", (kind === "bare" ? 10 + Math.ceil(count / 2000) : 20 + Math.ceil(count / 250)) + (warmup > 0 ? WARMUP_BEFORE_MS / 1000 : 0));
/**
 * Before the measured burst, each worker with no limits (bare BullMQ and Debrief) gets a smaller one that is not counted:
 * WARMUP prompts (whole incidents) due evenly over WARMUP_SPREAD_MS, starting WARMUP_BEFORE_MS before the first measured
 * due time. A worker in production has been running: its code is compiled and its connections are open. The first burst
 * after a start pays for both, and its lateness is reported on a line of its own ("first burst after start").
 */
const WARMUP = number("BENCH_PROMPTS_WARMUP", 500);
const WARMUP_BEFORE_MS = 15_000;
const WARMUP_SPREAD_MS = 5_000;
/**
 * Slack-like limits for the limited scenario: Slack's documented pace of about one message a second per conversation,
 * and its workspace-wide cap on posting, "several hundred messages a minute", taken as 600.
 */
const PER_MINUTE = number("BENCH_PROMPTS_PER_MINUTE", 600);
const LIMITS: Limits = {
  perConversationPerSecond: 1,
  perConversationBurst: 1,
  workspacePerMinute: PER_MINUTE,
  // One second's worth at once: Slack allows short bursts but does not say how long.
  workspaceBurst: number("BENCH_PROMPTS_BURST", Math.max(1, Math.round(PER_MINUTE / 60))),
};
/**
 * Prompts in the limited scenario. At Slack's real pace 10,000 messages take 17 minutes whatever sends them, so by
 * default the limited scenario is 1,000 prompts due in the same minute (at 600/min: about 100 s); BENCH_PROMPTS_LIMITED_N
 * sets it, e.g. to 10000.
 */
const LIMITED_N = number("BENCH_PROMPTS_LIMITED_N", Math.min(N, 1000));
/** At the start, wait up to this long for the machine to be quiet (other work ≤ 10 % of it). */
const QUIET_S = number("BENCH_PROMPTS_QUIET_S", 30);
const SCENARIOS = (env.BENCH_PROMPTS_SCENARIOS ?? "bare,debrief,limited").split(",").map((s) => s.trim());
/** Give up on a scenario when nothing more has been delivered for this long after the last due time. */
const STALL_MS = number("BENCH_PROMPTS_STALL_S", 60) * 1000;
/** After the last expected delivery, how long to keep listening for duplicates. */
const GRACE_MS = 3000;
/** Debrief's worker writes a CPU profile of each scenario and says where its time went (not for headline figures). */
const PROFILE = env.BENCH_PROMPTS_PROFILE === "1";

const BOT_TOKEN = "xoxb-bench-0000000000-0000000000000-benchbenchbenchbenchbench";
const here = (file: string) => new URL(file, import.meta.url);

const children = new Set<Child<unknown>>();
const resources = new Set<Resources>();
let interrupted = false;
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of [...children].reverse()) await child.stop().catch(() => undefined);
    for (const r of resources) await r.release().catch((err: unknown) => console.error(`could not remove the bench's database or keys: ${String(err)}`));
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.log(`\n${signal}: stopping every process and cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Offsets of the due times from the first, ms: evenly over the spread, in groups of PER_INCIDENT (one incident each). */
function dueOffsets(count: number, spreadMs = SPREAD_S * 1000): number[] {
  const incidents = Math.ceil(count / PER_INCIDENT);
  return Array.from({ length: count }, (_, n) => Math.floor((Math.floor(n / PER_INCIDENT) * spreadMs) / incidents));
}

/** The warm-up's offsets from the first measured due time, ms (negative: before it). */
const warmupOffsets = (count: number): number[] => dueOffsets(count, WARMUP_SPREAD_MS).map((o) => o - WARMUP_BEFORE_MS);

/** Deliveries per 5 s from the first due time, for the results file: when the work got done. */
function timeline(dues: Iterable<number>, arrivals: Iterable<number>): number[] {
  const first = Math.min(...dues);
  const out: number[] = [];
  for (const at of arrivals) {
    const slot = Math.max(0, Math.floor((at - first) / 5000));
    while (out.length <= slot) out.push(0);
    out[slot]!++;
  }
  return out;
}

async function until(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Waits until `count` have been delivered (then a little longer, for duplicates), or nothing more comes for a while. */
async function awaitDeliveries(progress: () => Promise<Pick<Progress, "delivered">>, count: number, lastDue: number): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  let reported = Date.now();
  for (;;) {
    await sleep(500);
    const { delivered } = await progress();
    if (delivered !== last) {
      last = delivered;
      lastChange = Date.now();
    }
    if (Date.now() - reported >= 10_000) {
      reported = Date.now();
      console.log(`  … ${delivered} of ${count} delivered`);
    }
    if (delivered >= count) break;
    if (Date.now() > lastDue && Date.now() - lastChange > STALL_MS) {
      console.log(`  nothing delivered for ${STALL_MS / 1000} s: giving up with ${delivered} of ${count}`);
      break;
    }
  }
  await sleep(GRACE_MS);
}

async function bareScenario(prefix: string, offsets: readonly number[], warmup: number): Promise<ScenarioResult> {
  const N = offsets.length;
  const LEAD_S = leadS(N, "bare", warmup);
  console.log(`\nbare BullMQ: ${N} delayed jobs, no-op processor (concurrency ${BARE_CONCURRENCY})`);
  const place = await provision();
  resources.add(place);
  const worker = await startChild<{ pid: number }>("bare worker", here("bare-worker.ts"), {
    logFile: `${prefix}-bare-worker.log`,
    env: { REDIS_URL: place.redisUrl, REDIS_PREFIX: place.redisPrefix },
  });
  children.add(worker);
  try {
    const startedAt = Date.now();
    const firstDue = startedAt + LEAD_S * 1000;
    // Jobs 0 … warmup-1 are the warm-up's; the rest, the measured burst's.
    const warmDues = warmupOffsets(warmup).map((o) => firstDue + o);
    const dues = offsets.map((o) => firstDue + o);
    const setup = await seedBare({ redisUrl: place.redisUrl, prefix: place.redisPrefix }, [...warmDues, ...dues]);
    console.log(`  queued in ${((setup.endedAt - setup.startedAt) / 1000).toFixed(1)} s; first due in ${((firstDue - Date.now()) / 1000).toFixed(1)} s`);
    await until(firstDue);
    const cpuBefore = await worker.call<NodeJS.CpuUsage>("cpu");
    const before = cpuSnapshot();
    await awaitDeliveries(() => worker.call("progress"), warmup + N, dues.at(-1)!);
    const shares = cpuShares(before, cpuSnapshot());
    const runs = await worker.call<{ n: number; due: number; at: number }[]>("collect");
    const cpuAfter = await worker.call<NodeJS.CpuUsage>("cpu");
    const arrivals = runs.map((r) => [String(r.n), r.at] as const);
    const summary = summarizeDeliveries(new Map(dues.map((due, n) => [String(warmup + n), due])), arrivals);
    return {
      name: "bare BullMQ",
      ...summary,
      warmup: warmup > 0 ? summarizeDeliveries(new Map(warmDues.map((due, n) => [String(n), due])), arrivals).lateness : null,
      allowedMs: null,
      limits: null,
      limited: null,
      calls: null,
      workerCpuMs: (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1000,
      machine: shares,
      setup: { ms: setup.endedAt - setup.startedAt, marginMs: firstDue - setup.endedAt },
      timeline: timeline(dues, runs.map((r) => r.at)),
    };
  } finally {
    await worker.stop();
    children.delete(worker);
    await place.release();
    resources.delete(place);
  }
}

async function debriefScenario(prefix: string, name: string, slack: Child<{ url: string }>, limits: Limits | null, N: number, warmup: number): Promise<ScenarioResult> {
  const LEAD_S = leadS(N, "debrief", warmup);
  const limitText = limits
    ? `chat.postMessage ${limits.perConversationPerSecond}/s per conversation, ${limits.workspacePerMinute}/min per workspace (burst ${limits.workspaceBurst}), 429 + Retry-After`
    : "no rate limits";
  console.log(`\n${name}: ${N} prompts for ${N} people, ${Math.ceil(N / PER_INCIDENT)} incidents; fake Slack: ${limitText}`);
  await slack.call("configure", limits ?? NO_LIMITS);
  const place = await provision();
  resources.add(place);
  const debriefEnv = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: randomBytes(16).toString("hex"),
    SLACK_API_URL: slack.info.url,
    DATABASE_URL: place.databaseUrl,
    REDIS_URL: place.redisUrl,
    REDIS_PREFIX: place.redisPrefix,
    PORT: "0",
    LOG_LEVEL: env.BENCH_LOG_LEVEL ?? "info",
    TIME_ZONE: "Europe/London",
    WORKING_HOURS: "always",
    // One step, due LEAD_S after the incident is logged; a reminder only after the run is long over.
    REFLECTION_SCHEDULE: `PT${LEAD_S}S`,
    REFLECTION_REMINDER: "P7D",
  };
  const worker = await startChild<{ pid: number }>(`Debrief worker (${name})`, here("../ack-latency/debrief-server.ts"), {
    logFile: `${prefix}-${name.replace(/\W+/g, "-")}-worker.log`,
    env: { ...debriefEnv, BENCH_DEBRIEF_ROLE: "worker", ...(PROFILE ? { BENCH_PROFILE: "1" } : {}) },
  });
  children.add(worker);
  try {
    const startedAt = Date.now();
    // People 0 … warmup-1 (the first incidents) are the warm-up's; the rest, the measured burst's.
    const warmOffsets = warmupOffsets(warmup);
    const offsets = dueOffsets(N);
    const seeded = await seedDebrief(readConfig(debriefEnv), {
      count: warmup + N,
      peoplePerIncident: PER_INCIDENT,
      // Incident k counts as logged at start + its offset, so its people's prompts are due LEAD_S later.
      loggedAt: (k) => new Date(startedAt + (k * PER_INCIDENT < warmup ? warmOffsets[k * PER_INCIDENT]! : offsets[k * PER_INCIDENT - warmup]!)),
    });
    if (seeded.dueByUser.size !== warmup + N) throw new Error(`expected ${warmup + N} prompts, found ${seeded.dueByUser.size}`);
    const warmUsers = new Set(Array.from({ length: warmup }, (_, n) => userIdOf(n)));
    const dueByUser = new Map([...seeded.dueByUser].filter(([user]) => !warmUsers.has(user)));
    const dues = [...dueByUser.values()];
    const firstDue = Math.min(...dues);
    const lastDue = Math.max(...dues);
    console.log(
      `  planned and queued in ${((seeded.endedAt - seeded.startedAt) / 1000).toFixed(1)} s; ` +
        `${dueByUser.size} prompts due from ${((firstDue - Date.now()) / 1000).toFixed(1)} s to ${((lastDue - Date.now()) / 1000).toFixed(1)} s from now` +
        (warmup > 0 ? ` (and ${warmup} to warm up, ${WARMUP_BEFORE_MS / 1000} s before)` : ""),
    );
    await until(firstDue);
    const cpuBefore = await worker.call<NodeJS.CpuUsage>("cpu");
    const before = cpuSnapshot();
    if (PROFILE) {
      await worker.call("timings");
      await worker.call("startProfile");
    }
    await awaitDeliveries(() => slack.call<SlackProgress>("progress"), warmup + N, lastDue);
    const shares = cpuShares(before, cpuSnapshot());
    if (PROFILE) {
      const profile = `${prefix}-${name.replace(/\W+/g, "-")}.cpuprofile`;
      await worker.call("stopProfile", profile);
      const t = await worker.call<Record<string, unknown>>("timings");
      console.log(`  profile: ${profile} (npx tsx bench/ack-latency/profile-summary.ts <it>)\n  timings: ${JSON.stringify(t)}`);
    }
    const seen = await slack.call<Seen>("collect");
    const cpuAfter = await worker.call<NodeJS.CpuUsage>("cpu");
    const stored = await storedCounts(place.databaseUrl);
    const posts = seen.posts.map((p) => [p.channel, p.at] as const);
    const summary = summarizeDeliveries(dueByUser, posts);
    const stages = stagesOf((await promptTimes(place.databaseUrl)).filter((t) => !warmUsers.has(t.userId)), posts);
    const warmDueByUser = new Map([...seeded.dueByUser].filter(([user]) => warmUsers.has(user)));
    if (summary.strangers > warmup) console.log(`  ${summary.strangers - warmup} messages to people who were not due one`);
    return {
      name,
      ...summary,
      warmup: warmup > 0 ? summarizeDeliveries(warmDueByUser, posts).lateness : null,
      allowedMs: limits ? allowedByLimits(dues, limits) : null,
      limits,
      limited: { conversation: seen.limitedConversation, workspace: seen.limitedWorkspace },
      calls: seen.calls,
      workerCpuMs: (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1000,
      machine: shares,
      setup: { ms: seeded.endedAt - seeded.startedAt, marginMs: firstDue - seeded.endedAt },
      stored,
      stages,
      timeline: timeline(dues, posts.map(([, at]) => at)),
    };
  } finally {
    await worker.stop();
    children.delete(worker);
    await place.release();
    resources.delete(place);
  }
}

/** Per prompt, from Debrief's database: when it was due, when its job sent it, and its message's last claim and tries. */
async function promptTimes(databaseUrl: string): Promise<PromptTimes[]> {
  const { rows } = await admin(
    `select pe.user_id, extract(epoch from p.due_at) * 1000 as due, extract(epoch from p.sent_at) * 1000 as decided,
            extract(epoch from d.claimed_at) * 1000 as claimed, d.attempts
       from reflection_prompt p join person pe on pe.id = p.person_id left join delivery d on d.dedupe_key = p.message_key`,
    databaseUrl,
  );
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({ userId: String(r.user_id), due: n(r.due)!, decided: n(r.decided), claimed: n(r.claimed), attempts: n(r.attempts) }));
}

/** Prompts and deliveries by status in Debrief's database once the run is over. */
async function storedCounts(databaseUrl: string): Promise<{ prompts: Record<string, number>; deliveries: Record<string, number> }> {
  const count = async (table: string) => {
    const { rows } = await admin(`select status, count(*)::int as n from ${table} group by status order by status`, databaseUrl);
    return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
  };
  return { prompts: await count("reflection_prompt"), deliveries: await count("delivery") };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const resultsDir = new URL("../results/", import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const prefix = new URL(`${startedAt.toISOString().replace(/[:.]/g, "-")}-prompts`, resultsDir).pathname;
  const about = { ...machine(), debrief: revision() };
  console.log(`prompt-fanout bench: Debrief ${about.debrief}; ${about.cpus} CPUs (${about.cpuModel}), Node ${about.node}`);
  console.log(
    `${N} prompts for ${N} people (${LIMITED_N} with limits), due evenly over ${SPREAD_S} s starting ${leadS(N, "debrief", WARMUP)} s after setup begins, ` +
      `after a warm-up of ${WARMUP} not counted; ` +
      `scenarios: ${SCENARIOS.join(", ")}; logs: ${prefix}-*.log`,
  );
  const atStart = await waitForQuiet(QUIET_S * 1000);
  if (atStart && atStart.other > NOISY_OTHER_SHARE) console.log(`warning: other work is using ${(atStart.other * 100).toFixed(0)}% of the machine; figures will be noisy`);

  const results: ScenarioResult[] = [];
  const slack = await startChild<{ url: string }>("fake Slack", here("fake-slack-server.ts"), { logFile: `${prefix}-fake-slack.log` });
  children.add(slack);
  // Both workers with no limits warm up the same way; the limited scenario measures throughput, which a warm-up would
  // only share the workspace's allowance with.
  const warmup = Math.ceil(WARMUP / PER_INCIDENT) * PER_INCIDENT;
  if (SCENARIOS.includes("bare")) results.push(await bareScenario(prefix, dueOffsets(N), warmup));
  if (SCENARIOS.includes("debrief")) results.push(await debriefScenario(prefix, "Debrief, no limits", slack, null, N, warmup));
  if (SCENARIOS.includes("limited")) results.push(await debriefScenario(prefix, "Debrief, Slack-like limits", slack, LIMITS, LIMITED_N, 0));

  console.log(`\n${table(results)}\n`);
  console.log(conclusions(results));
  const json = `${prefix}.json`;
  writeFileSync(
    json,
    JSON.stringify(
      { startedAt: startedAt.toISOString(), machine: { ...about, cpuBeforeStart: atStart }, plan: { N, LIMITED_N, SPREAD_S, PER_INCIDENT, WARMUP, leadS: { bare: leadS(N, "bare", WARMUP), debrief: leadS(N, "debrief", WARMUP), limited: leadS(LIMITED_N, "debrief") }, LIMITS }, results },
      (_key, value: unknown) => (value === Infinity ? null : value),
      2,
    ),
  );
  console.log(`\nresults: ${json}`);
}

try {
  await main();
} catch (err) {
  if (!interrupted) {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanUp();
}
// So the run's own handles (the Postgres admin client's timers, IPC) never keep it waiting.
if (!interrupted) process.exit(process.exitCode ?? 0);

