import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import pg from "pg";

/**
 * Where a Debrief request's time goes, measured from outside src/ (BENCH_PROFILE=1 only): the wait for a pooled
 * Postgres connection, each transaction from BEGIN to COMMIT, the row lock that numbers incidents, every query, the
 * reply to the response_url, and how late the event loop ran (cpu-profile.ts writes its CPU profiles). It wraps pg and
 * fetch in the Debrief process; the wrapping and the profiler cost a little, so profiled runs are not the headline figures.
 */

type Series = "poolWait" | "transaction" | "incidentNumber" | "query" | "respond";

const series: Record<Series, number[]> = { poolWait: [], transaction: [], incidentNumber: [], query: [], respond: [] };
/** COMMITs that failed on the client (e.g. pg's query_timeout) — the server may have committed them anyway. */
let failedCommits = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
let elu = performance.eventLoopUtilization();

const TX_STARTED = Symbol("bench.txStarted");
type TimedClient = pg.Client & { [TX_STARTED]?: number };

function wrapPoolConnect(): void {
  const connect = pg.Pool.prototype.connect as (this: pg.Pool, ...args: unknown[]) => Promise<pg.PoolClient> | undefined;
  pg.Pool.prototype.connect = function timedConnect(this: pg.Pool, ...args: unknown[]) {
    if (args.length > 0) return connect.apply(this, args); // the callback form: pool.query uses it; Kysely does not
    const started = performance.now();
    return connect.apply(this, args)!.then((client) => {
      series.poolWait.push(performance.now() - started);
      return client;
    });
  } as typeof pg.Pool.prototype.connect;
}

function wrapClientQuery(): void {
  const query = pg.Client.prototype.query as (this: TimedClient, ...args: unknown[]) => unknown;
  pg.Client.prototype.query = function timedQuery(this: TimedClient, ...args: unknown[]) {
    const text = typeof args[0] === "string" ? args[0].trim().toLowerCase() : null;
    const result = query.apply(this, args);
    if (text === null || !(result instanceof Promise)) return result;
    const started = performance.now();
    if (text === "begin") this[TX_STARTED] = started;
    if (text === "commit") result.catch(() => failedCommits++);
    return result.finally(() => {
      const now = performance.now();
      series.query.push(now - started);
      // Taking the next incident number locks the workspace row until COMMIT: every report in a workspace waits here.
      if (text.startsWith('update "workspace"')) series.incidentNumber.push(now - started);
      if ((text === "commit" || text === "rollback") && this[TX_STARTED] !== undefined) {
        series.transaction.push(now - this[TX_STARTED]);
        this[TX_STARTED] = undefined;
      }
    });
  } as typeof pg.Client.prototype.query;
}

function wrapFetch(): void {
  const original = globalThis.fetch;
  globalThis.fetch = async function timedFetch(input, init) {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes("/respond/")) return original(input, init);
    const started = performance.now();
    try {
      return await original(input, init);
    } finally {
      series.respond.push(performance.now() - started);
    }
  };
}

/** Installs the wrappers; call before Debrief starts, so Bolt picks up the wrapped fetch. */
export function installTimings(): void {
  wrapPoolConnect();
  wrapClientQuery();
  wrapFetch();
  loopDelay.enable();
}

export interface Distribution {
  count: number;
  totalMs: number;
  p50: number;
  p99: number;
  max: number;
}

export interface Timings {
  series: Record<Series, Distribution>;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Share of the time the event loop was busy (1 = never idle). */
  eventLoopUtilization: number;
  failedCommits: number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, totalMs: sorted.reduce((a, b) => a + b, 0), p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** Everything since the last call, then starts afresh: the parent calls it at the start and end of each phase. */
export function takeTimings(): Timings {
  const out: Timings = {
    series: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, distribution(v)])) as Record<Series, Distribution>,
    eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
    failedCommits,
  };
  failedCommits = 0;
  for (const list of Object.values(series)) list.length = 0;
  loopDelay.reset();
  elu = performance.eventLoopUtilization();
  return out;
}
