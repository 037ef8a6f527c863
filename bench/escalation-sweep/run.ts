import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { IANAZone } from "luxon";
import pg from "pg";
import { pino } from "pino";
import { readConfig, settingsOf, type Settings } from "../../src/config.ts";
import type { DeliveryScheduler } from "../../src/delivery/outbox.ts";
import { sweepOverdue, type Swept } from "../../src/features/escalation/sweep.ts";
import { migrateToLatest, openDatabase, type Db } from "../../src/store/database.ts";
import { cpuShares, cpuSnapshot, revision, waitForQuiet, type CpuShares } from "../ack-latency/machine.ts";
import { fill, populationFor, resetOverdue, type Population } from "./fill.ts";
import {
  bareDrain,
  batchedSketch,
  captureClaimQuery,
  explainClaim,
  loggingDb,
  QueryProfile,
  timeBareClaim,
  usesIndex,
  type ClaimQuery,
  type QueryKind,
} from "./probe.ts";
import { fmt, median, p90, printTable } from "./report.ts";

/**
 * `npm run bench:sweep`: the escalation sweep (src/features/escalation/sweep.ts) against real Postgres, on tables of
 * 10 thousand, 100 thousand and 1 million actions with 1 % overdue (issue 9, `bench/escalation-sweep`). For each
 * size: the time to escalate every overdue action, the cost of a sweep that finds nothing, and as a baseline the bare
 * claim query alone; EXPLAIN (ANALYZE, BUFFERS) of the claim. See bench/README.md.
 */

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SIZES = parseSizes(process.env.SIZES ?? "10000,100000,1000000");
/** Escalation runs per size (the overdue actions are put back between them); the table shows each and the median. */
const RUNS = positive("ESCALATION_RUNS", 2);
/** Rounds of the empty-sweep comparison, every size once per round. */
const ROUNDS = positive("EMPTY_ROUNDS", 101);
/** Bare claims of a batch of due actions, per size. */
const CLAIM_REPEATS = 21;
/** As src/features/escalation/sweep.ts takes them. */
const BATCH = 500;
const LADDER = "PT0S:owner,P1D:manager,P3D:lead";
const TARGET_FLAT = 1.5;

function positive(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return n;
}

function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((s) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(s);
    const n = m ? Math.round(Number(m[1]) * ({ "": 1, k: 1e3, m: 1e6 } as Record<string, number>)[m[2]!.toLowerCase()]!) : NaN;
    if (!Number.isInteger(n) || n < 100) throw new Error(`SIZES="${text}": each size is a number of actions ≥ 100, e.g. 10000,100k,1m`);
    return n;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** The delivery scheduler the sweep hands its messages to: it only counts them (no Redis, no queue, nothing sent). */
class CountingScheduler implements DeliveryScheduler {
  calls = 0;
  scheduled = 0;
  async schedule(ids: readonly string[]): Promise<void> {
    this.calls++;
    this.scheduled += ids.length;
  }
}

interface EscalationRun {
  ms: number;
  /** sweepOverdue calls, the last one finding nothing. */
  sweeps: number;
  steps: number;
  messages: number;
  scheduled: number;
  /** Who used the machine during the run (shares of all cores): other work skews the figures. */
  cpu: CpuShares | null;
  /** This process's own CPU time over the run (user + system), ms: less swayed by a busy machine than the clock. */
  nodeCpuMs: number;
}

interface Profiled {
  ms: number;
  steps: number;
  queries: QueryKind[];
  /** Calls to Luxon's IANAZone.isValidZone during the run and the time in them (each builds an Intl.DateTimeFormat). */
  zoneChecks: { calls: number; ms: number };
  sketch: { actions: number; queries: number; ms: number };
}

interface SizeResult {
  population: Population;
  fillMs: number;
  vacuumAnalyzeMs: number;
  claim: ClaimQuery;
  explainDue: string;
  explainEmpty: string;
  dueClaimMs: number[];
  drain: { batches: number; claimed: number; claimMs: number; totalMs: number };
  runs: EscalationRun[];
  stepsBy: { target: string; place: string; n: number }[];
  /** Empty sweeps straight after the first escalation run: the first, then the rest. */
  afterEscalation: { first: number; rest: number[] };
  profile: Profiled;
  empty: { sweep: number[]; claim: number[]; ping: number[]; cpu: CpuShares | null };
}

interface Live {
  name: string;
  url: string;
  db: Db;
  client: pg.Client;
}

const live: Live[] = [];
const log = pino({ level: "silent" });

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const l of live) {
      await l.db.destroy().catch(() => undefined);
      await l.client.end().catch(() => undefined);
      await admin(`drop database if exists ${l.name} with (force)`).catch((err: unknown) => console.error(`could not drop ${l.name}: ${String(err)}`));
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.log(`\n${signal}: dropping the bench's databases…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const value = await work();
  return [value, performance.now() - t0];
};

async function vacuumAnalyze(client: pg.Client): Promise<number> {
  return (await timed(() => client.query("vacuum (analyze)")))[1];
}

/** sweepOverdue until a sweep takes no step. */
async function escalateAll(db: Db, config: Settings): Promise<EscalationRun> {
  const deliveries = new CountingScheduler();
  const run: EscalationRun = { ms: 0, sweeps: 0, steps: 0, messages: 0, scheduled: 0, cpu: null, nodeCpuMs: 0 };
  const before = cpuSnapshot();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (;;) {
    const swept: Swept = await sweepOverdue({ db, deliveries, config, log });
    run.sweeps++;
    run.steps += swept.steps;
    run.messages += swept.messages;
    if (swept.steps === 0) break;
  }
  run.ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  run.nodeCpuMs = (cpu.user + cpu.system) / 1000;
  run.cpu = cpuShares(before, cpuSnapshot());
  run.scheduled = deliveries.scheduled;
  return run;
}

/** Every overdue action took exactly one step and nothing is due any more; anything else fails the bench. */
async function checkEscalated(client: pg.Client, p: Population, run: EscalationRun): Promise<void> {
  const { rows } = await client.query<{ due: string; steps: string }>(
    `select (select count(*) from action where status = 'open' and next_step_at <= now()) as due, (select count(*) from escalation_step) as steps`,
  );
  const due = Number(rows[0]!.due);
  const steps = Number(rows[0]!.steps);
  if (due !== 0 || steps !== p.overdue || run.steps !== p.overdue || run.scheduled !== run.messages) {
    throw new Error(`escalation at ${p.actions}: ${due} still due, ${steps} step rows and ${run.steps} steps reported for ${p.overdue} overdue, ${run.scheduled} scheduled for ${run.messages} messages`);
  }
}

async function emptySweepMs(db: Db, config: Settings): Promise<number> {
  const [swept, ms] = await timed(() => sweepOverdue({ db, deliveries: new CountingScheduler(), config, log }));
  if (swept.steps !== 0) throw new Error(`a sweep expected to find nothing took ${swept.steps} steps`);
  return ms;
}

async function benchSize(actions: number, config: Settings): Promise<SizeResult> {
  const p = populationFor(actions);
  const name = `debrief_sweep_${actions}_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir: "" });
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  live.push({ name, url: url.toString(), db, client });
  await migrateToLatest(db);

  const say = (text: string) => console.log(`[${fmt(actions)}] ${text}`);
  say(`filling: ${p.actions} actions (${p.overdue} overdue), ${p.incidents} incidents, ${p.people} people, ${p.teams} teams, ${p.workspaces} workspaces`);
  const [, fillMs] = await timed(() => fill(client, p, config.escalationLadder));
  const vacuumAnalyzeMs = await vacuumAnalyze(client);
  say(`filled in ${(fillMs / 1000).toFixed(1)} s, VACUUM (ANALYZE) ${(vacuumAnalyzeMs / 1000).toFixed(1)} s`);

  const claim = await captureClaimQuery(url.toString(), BATCH);
  const explainDue = await explainClaim(client, claim);
  if (!usesIndex(explainDue)) throw new Error(`the claim does not use action_next_step at ${actions}:\n${explainDue}`);
  const dueClaimMs: number[] = [];
  for (let i = 0; i < CLAIM_REPEATS; i++) {
    const { ms, rows } = await timeBareClaim(client, claim);
    if (rows !== Math.min(BATCH, p.overdue)) throw new Error(`the bare claim took ${rows} rows, expected ${Math.min(BATCH, p.overdue)}`);
    dueClaimMs.push(ms);
  }
  const drain = await bareDrain(client, claim);
  if (drain.claimed !== p.overdue) throw new Error(`the bare drain claimed ${drain.claimed} of ${p.overdue}`);
  say(`bare claim of ${Math.min(BATCH, p.overdue)} due: median ${fmt(median(dueClaimMs))} ms; bare drain: ${drain.batches} claims, ${fmt(drain.claimMs)} ms in them, ${fmt(drain.totalMs)} ms in all`);

  const runs: EscalationRun[] = [];
  let afterEscalation = { first: NaN, rest: [] as number[] };
  for (let r = 0; r < RUNS; r++) {
    await resetOverdue(client, config.escalationLadder);
    await vacuumAnalyze(client);
    await waitForQuiet(10_000);
    const run = await escalateAll(db, config);
    await checkEscalated(client, p, run);
    runs.push(run);
    say(`escalation run ${r + 1}: ${run.steps} steps in ${run.messages} messages, ${run.sweeps} sweeps, ${fmt(run.ms)} ms (${fmt(run.ms / run.steps)} ms per action, Node CPU ${fmt(run.nodeCpuMs / run.steps)} ms)${others(run.cpu)}`);
    if (r === 0) {
      const first = await emptySweepMs(db, config);
      const rest: number[] = [];
      for (let i = 0; i < 11; i++) rest.push(await emptySweepMs(db, config));
      afterEscalation = { first, rest };
    }
  }
  const { rows: stepsBy } = await client.query<{ target: string; place: string; n: number }>(
    `select target, place, count(*)::int as n from escalation_step group by 1, 2 order by 1, 2`,
  );

  // Where the time goes: the same escalation again through a Kysely that times every query, and (before it, rolled
  // back) the batched sketch of the same reads.
  await resetOverdue(client, config.escalationLadder);
  await vacuumAnalyze(client);
  const sketch = await batchedSketch(client, claim);
  const queries = new QueryProfile();
  const profiledDb = loggingDb(url.toString(), queries.log);
  const isValidZone = IANAZone.isValidZone;
  const zoneChecks = { calls: 0, ms: 0 };
  IANAZone.isValidZone = (zone: string): boolean => {
    const t0 = performance.now();
    try {
      return isValidZone.call(IANAZone, zone);
    } finally {
      zoneChecks.ms += performance.now() - t0;
      zoneChecks.calls++;
    }
  };
  let profile: Profiled;
  try {
    const run = await escalateAll(profiledDb, config);
    await checkEscalated(client, p, run);
    profile = { ms: run.ms, steps: run.steps, queries: queries.entries, zoneChecks, sketch };
  } finally {
    IANAZone.isValidZone = isValidZone;
    await profiledDb.destroy();
  }
  const inQueries = profile.queries.reduce((sum, q) => sum + q.ms, 0);
  say(`profiled run: ${fmt(profile.ms)} ms, ${fmt(inQueries)} ms of it in ${profile.queries.reduce((n, q) => n + q.count, 0)} queries; batched sketch of one batch: ${sketch.actions} actions, ${sketch.queries} queries, ${fmt(sketch.ms)} ms`);

  return {
    population: p,
    fillMs,
    vacuumAnalyzeMs,
    claim,
    explainDue,
    explainEmpty: "",
    dueClaimMs,
    drain,
    runs,
    stepsBy,
    afterEscalation,
    profile,
    empty: { sweep: [], claim: [], ping: [], cpu: null },
  };
}

/**
 * The empty sweep, the bare claim finding nothing, and a `select 1` round trip, every size once a round in rotating
 * order, so a busy spell on the machine falls on every size alike.
 */
async function emptyRounds(results: SizeResult[], config: Settings): Promise<void> {
  const at = results.map((r, i) => ({ r, l: live[i]! }));
  const before = cpuSnapshot();
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < at.length; k++) {
      const { r, l } = at[(round + k) % at.length]!;
      r.empty.sweep.push(await emptySweepMs(l.db, config));
      const { ms, rows } = await timeBareClaim(l.client, r.claim);
      if (rows !== 0) throw new Error(`the bare claim found ${rows} due when nothing should be`);
      r.empty.claim.push(ms);
      r.empty.ping.push((await timed(() => l.client.query("select 1")))[1]);
    }
  }
  const cpu = cpuShares(before, cpuSnapshot());
  for (const { r, l } of at) {
    r.empty.cpu = cpu;
    r.explainEmpty = await explainClaim(l.client, r.claim);
    if (!usesIndex(r.explainEmpty)) throw new Error(`the empty claim does not use action_next_step at ${r.population.actions}:\n${r.explainEmpty}`);
  }
}

const share = (x: number) => `${Math.round(100 * x)} %`;
const others = (cpu: CpuShares | null) => (cpu ? `; others' CPU ${share(cpu.other)}, Postgres ${share(cpu.services)}` : "");

async function report(results: SizeResult[], started: Date, load: { before: number[]; after: number[] }, pgVersion: string, measured: string): Promise<void> {
  const fmtS = (ms: number) => (ms / 1000).toFixed(1);
  console.log(`\n## Escalating every overdue action (sweepOverdue until it takes no step; the delivery scheduler only counts)\n`);
  printTable(
    ["actions", "overdue", "fill + vacuum analyze", "escalate all, each run (ms)", "median (ms)", "per overdue action (ms)", "Node CPU per action (ms)", "sweeps", "steps", "messages", "bare claims only (ms)", "bare drain (ms)", "others' CPU"],
    results.map((r) => {
      const ms = median(r.runs.map((x) => x.ms));
      const run = r.runs[0]!;
      return [
        fmt(r.population.actions),
        fmt(r.population.overdue),
        `${fmtS(r.fillMs)} + ${fmtS(r.vacuumAnalyzeMs)} s`,
        r.runs.map((x) => fmt(x.ms)).join(" / "),
        fmt(ms),
        fmt(ms / r.population.overdue),
        fmt(median(r.runs.map((x) => x.nodeCpuMs)) / r.population.overdue),
        String(run.sweeps),
        fmt(run.steps),
        fmt(run.messages),
        `${fmt(r.drain.claimMs)} (${r.drain.batches})`,
        fmt(r.drain.totalMs),
        r.runs.map((x) => (x.cpu ? share(x.cpu.other) : "?")).join(" / "),
      ];
    }),
  );
  console.log(
    `\nbare claims only: the claim statement alone, summed over the batches (in brackets) that drain the overdue actions;` +
      `\nbare drain: the same loop with one UPDATE per batch moving the claimed rows on and a COMMIT, no per-action work.`,
  );

  const smallest = results[0]!;
  console.log(`\n## A sweep that finds nothing (${ROUNDS} rounds, sizes interleaved; ms)${others(smallest.empty.cpu)}\n`);
  printTable(
    ["actions", "empty sweep median", "p90", "min", "÷ smallest", "bare empty claim median", "p90", "select 1 median", "first empty sweep after escalating", "next 11, median", "bare claim of 500 due, median"],
    results.map((r) => [
      fmt(r.population.actions),
      fmt(median(r.empty.sweep)),
      fmt(p90(r.empty.sweep)),
      fmt(Math.min(...r.empty.sweep)),
      (median(r.empty.sweep) / median(smallest.empty.sweep)).toFixed(2),
      fmt(median(r.empty.claim)),
      fmt(p90(r.empty.claim)),
      fmt(median(r.empty.ping)),
      fmt(r.afterEscalation.first),
      fmt(median(r.afterEscalation.rest)),
      fmt(median(r.dueClaimMs)),
    ]),
  );

  const largest = results.at(-1)!;
  console.log(`\n## Targets\n`);
  if (results.length > 1) {
    const flat = median(largest.empty.sweep) / median(smallest.empty.sweep);
    console.log(
      `- empty sweep, ${fmt(largest.population.actions)} ÷ ${fmt(smallest.population.actions)} actions: ${fmt(median(largest.empty.sweep))} ÷ ${fmt(median(smallest.empty.sweep))} ms = ${flat.toFixed(2)} (target ≤ ${TARGET_FLAT}): ${flat <= TARGET_FLAT ? "MET" : "MISSED"}`,
    );
    const wall = (r: SizeResult) => median(r.runs.map((x) => x.ms)) / r.population.overdue;
    const cpu = (r: SizeResult) => median(r.runs.map((x) => x.nodeCpuMs)) / r.population.overdue;
    const busy = (r: SizeResult) => Math.max(...r.runs.map((x) => x.cpu?.other ?? 0));
    const cpuRatio = cpu(largest) / cpu(smallest);
    const wallRatio = wall(largest) / wall(smallest);
    console.log(
      `- escalating, per overdue action at ${fmt(largest.population.actions)} ÷ at ${fmt(smallest.population.actions)} ` +
        `(${fmt(largest.population.overdue / smallest.population.overdue)}× the overdue actions): ` +
        `Node CPU ${fmt(cpu(largest))} ÷ ${fmt(cpu(smallest))} ms = ${cpuRatio.toFixed(2)}, wall clock ${fmt(wall(largest))} ÷ ${fmt(wall(smallest))} ms = ${wallRatio.toFixed(2)} ` +
        `(others' CPU up to ${share(busy(largest))} and ${share(busy(smallest))}): ` +
        `${cpuRatio <= TARGET_FLAT ? "the work grows with the overdue count, not the table" : "the work per overdue action grows with the table"}` +
        (Math.abs(busy(largest) - busy(smallest)) > 0.2 ? "; the machine was much busier in one than the other, so the wall-clock ratio measures that too" : ""),
    );
  } else {
    console.log(`- one size only: the targets compare sizes`);
  }

  console.log(`\n## Where escalating's time goes (a separate run, every query timed through Kysely's log; ms)\n`);
  printTable(
    ["actions", "run", "in queries", "queries", "per action", ...largest.profile.queries.map((q) => q.kind)],
    results.map((r) => {
      const inQueries = r.profile.queries.reduce((s, q) => s + q.ms, 0);
      const count = r.profile.queries.reduce((s, q) => s + q.count, 0);
      const byKind = new Map(r.profile.queries.map((q) => [q.kind, q]));
      return [
        fmt(r.population.actions),
        fmt(r.profile.ms),
        `${fmt(inQueries)} (${Math.round((100 * inQueries) / r.profile.ms)} %)`,
        fmt(count),
        `${(count / r.profile.steps).toFixed(1)} q, ${fmt(r.profile.ms / r.profile.steps)} ms`,
        ...largest.profile.queries.map((q) => {
          const k = byKind.get(q.kind);
          return k ? `${fmt(k.ms)} (${fmt(k.count)})` : "–";
        }),
      ];
    }),
  );
  console.log(`\nqueries: ms in them (how many). The rest of a run is Node: ladder times (Luxon), views, grouping, BEGIN/COMMIT.`);
  for (const r of results) {
    const z = r.profile.zoneChecks;
    const inQueries = r.profile.queries.reduce((s, q) => s + q.ms, 0);
    console.log(
      `- ${fmt(r.population.actions)}: outside queries ${fmt(r.profile.ms - inQueries)} ms; of it ${fmt(z.ms)} ms in ${fmt(z.calls)} calls of Luxon's IANAZone.isValidZone ` +
        `(${(z.calls / r.profile.steps).toFixed(1)} per action, ${fmt((1000 * z.ms) / Math.max(1, z.calls))} µs each: each builds a new Intl.DateTimeFormat)`,
    );
  }
  console.log(`\nBatched sketch (plain SQL, rolled back; not product code): one batch's claim, reads and advance in a handful of queries:`);
  for (const r of results) {
    const s = r.profile.sketch;
    const perAction = median(r.runs.map((x) => x.ms)) / r.population.overdue;
    console.log(
      `- ${fmt(r.population.actions)}: ${s.actions} actions in ${s.queries} queries, ${fmt(s.ms)} ms (${fmt(s.ms / Math.max(1, s.actions))} ms per action; the sweep spends ${fmt(perAction)} ms per action)`,
    );
  }
  console.log(`\nSteps taken at ${fmt(largest.population.actions)}: ${largest.stepsBy.map((s) => `${s.target} (${s.place}) ${fmt(s.n)}`).join(", ")}`);

  for (const r of results) {
    console.log(`\n## EXPLAIN (ANALYZE, BUFFERS) of the claim, ${fmt(r.population.actions)} actions, ${fmt(r.population.overdue)} due\n`);
    console.log(r.explainDue);
    console.log(`\n## … and with nothing due (after escalating)\n`);
    console.log(r.explainEmpty);
  }
  console.log(`\nThe claim (src/store/actions.ts claimDueActions), parameters ${JSON.stringify(largest.claim.parameters)}:\n${largest.claim.sql}`);
  console.log(
    `\n${pgVersion}; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}); load average ${load.before.map((n) => n.toFixed(2)).join(" ")} before, ${load.after.map((n) => n.toFixed(2)).join(" ")} after; Debrief at ${measured}`,
  );

  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/${started.toISOString().replaceAll(":", "-").replace(".", "-")}-escalation-sweep.json`;
  writeFileSync(file, JSON.stringify({ started, sizes: SIZES, runs: RUNS, rounds: ROUNDS, ladder: LADDER, load, pgVersion, revision: measured, results }, null, 2));
  console.log(`Every figure: ${file}`);
}

async function main(): Promise<void> {
  const started = new Date();
  // The code measured is the code as it was when this process loaded it, so the revision is read now, not at the end.
  const measured = revision();
  // The default working hours (Mon–Fri 08:00–18:00) and zone, and the default ladder, as deployed.
  const config = settingsOf(readConfig({ ESCALATION_LADDER: LADDER }));
  const before = os.loadavg();
  const version = new pg.Client({ connectionString: POSTGRES_URL });
  await version.connect();
  const pgVersion = (await version.query<{ v: string }>("select split_part(version(), ' on ', 1) as v")).rows[0]!.v;
  await version.end();
  console.log(`escalation-sweep: sizes ${SIZES.map(fmt).join(", ")}; ${RUNS} escalation runs each; ${ROUNDS} empty rounds; ladder ${LADDER}; ${pgVersion}`);
  const quiet = await waitForQuiet(30_000);
  console.log(`machine at start${others(quiet)}; load average ${before.map((n) => n.toFixed(2)).join(" ")}`);
  const results: SizeResult[] = [];
  try {
    for (const size of SIZES) results.push(await benchSize(size, config));
    console.log(`empty sweeps: ${ROUNDS} rounds over ${results.length} sizes…`);
    await emptyRounds(results, config);
    await report(results, started, { before, after: os.loadavg() }, pgVersion, measured);
  } finally {
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
