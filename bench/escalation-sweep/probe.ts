import { Kysely, PostgresDialect, type LogEvent } from "kysely";
import pg from "pg";
import { claimDueActions } from "../../src/store/actions.ts";
import type { Db } from "../../src/store/database.ts";
import type { Database } from "../../src/store/schema.ts";

/** The claim query exactly as src/store/actions.ts sends it: SQL text and parameters. */
export interface ClaimQuery {
  sql: string;
  parameters: unknown[];
}

/** A Kysely over a pool of its own, as openDatabase builds it, that hands every query and its duration to `log`. */
export function loggingDb(url: string, log: (event: LogEvent) => void): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
}

class RolledBack extends Error {}

/**
 * Runs the product's claimDueActions once in a transaction that is rolled back, and keeps the first statement it
 * sends: the `… for update skip locked` claim over the partial index. Its second statement (reading the claimed
 * actions with their incidents) is per-action work, not part of the bare claim.
 */
export async function captureClaimQuery(url: string, limit: number): Promise<ClaimQuery> {
  const seen: ClaimQuery[] = [];
  const db = loggingDb(url, (event) => {
    if (event.level === "query") seen.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
  });
  try {
    await db
      .transaction()
      .execute(async (tx) => {
        await claimDueActions(tx, limit);
        throw new RolledBack();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RolledBack)) throw err;
      });
  } finally {
    await db.destroy();
  }
  const claim = seen.find((q) => /for update skip locked/i.test(q.sql));
  if (!claim) throw new Error(`claimDueActions sent no "for update skip locked" query: ${JSON.stringify(seen.map((q) => q.sql))}`);
  return claim;
}

/** The claim statement's own round trip, ms, inside a transaction that is rolled back (nothing is changed). */
export async function timeBareClaim(client: pg.Client, claim: ClaimQuery): Promise<{ ms: number; rows: number }> {
  await client.query("begin");
  try {
    const t0 = performance.now();
    const { rowCount } = await client.query(claim.sql, claim.parameters);
    return { ms: performance.now() - t0, rows: rowCount ?? 0 };
  } finally {
    await client.query("rollback");
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of the claim, rolled back (ANALYZE really takes the row locks). */
export async function explainClaim(client: pg.Client, claim: ClaimQuery): Promise<string> {
  await client.query("begin");
  try {
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${claim.sql}`, claim.parameters);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  } finally {
    await client.query("rollback");
  }
}

/** The plan reads action through the partial index (an ordered index scan, or a bitmap scan then a sort), never the whole table. */
export const usesIndex = (plan: string): boolean =>
  /(Index Scan using action_next_step on action|Bitmap Index Scan on action_next_step)/.test(plan) && !/Seq Scan/.test(plan);

/**
 * The floor for escalating: every overdue action claimed by the bare claim query, a batch at a time until one finds
 * nothing (as the bench runs the sweep), each batch moved out of the way by one UPDATE and committed, as the sweep's
 * transactions are, with no per-action work. `claimMs` sums the claim statements only; `totalMs` is the whole loop.
 * The caller puts the actions back afterwards.
 */
export async function bareDrain(client: pg.Client, claim: ClaimQuery): Promise<{ batches: number; claimed: number; claimMs: number; totalMs: number }> {
  let batches = 0;
  let claimed = 0;
  let claimMs = 0;
  const t0 = performance.now();
  for (;;) {
    await client.query("begin");
    const c0 = performance.now();
    const { rows } = await client.query<{ id: number }>(claim.sql, claim.parameters);
    claimMs += performance.now() - c0;
    if (rows.length > 0) {
      await client.query(`update action set next_step_at = next_step_at + interval '1000 years' where id = any($1)`, [rows.map((r) => r.id)]);
    }
    await client.query("commit");
    batches++;
    claimed += rows.length;
    if (rows.length === 0) break;
  }
  return { batches, claimed, claimMs, totalMs: performance.now() - t0 };
}

/** What each query of a sweep is, by its SQL: the function in src/store/ that sends it. */
const KINDS: [name: string, pattern: RegExp][] = [
  ["claimDueActions: claim (skip locked)", /^select .* from "action" where .*for update skip locked/is],
  ["claimDueActions: read the actions", /^select .* from "action" inner join "incident"/is],
  ["findIncidentById: incident", /^select \* from "incident" where/is],
  ["findIncidentById: involved people", /^select .* from "incident_person"/is],
  ["findPerson", /^select \* from "person" where/is],
  ["findTeam (ladderContext)", /^select .* from "team" where/is],
  ["advanceAction", /^update "action"/is],
  ["insertSteps", /^insert into "escalation_step"/is],
  ["recordDeliveries", /^insert into "delivery"/is],
];

export interface QueryKind {
  kind: string;
  count: number;
  ms: number;
}

/** Counts and times every query a piece of work sends through a loggingDb, by kind. */
export class QueryProfile {
  private readonly kinds = new Map<string, QueryKind>();

  readonly log = (event: LogEvent): void => {
    if (event.level !== "query") return;
    const kind = KINDS.find(([, pattern]) => pattern.test(event.query.sql))?.[0] ?? `other: ${event.query.sql.slice(0, 60)}`;
    const entry = this.kinds.get(kind) ?? { kind, count: 0, ms: 0 };
    entry.count++;
    entry.ms += event.queryDurationMillis;
    this.kinds.set(kind, entry);
  };

  get entries(): QueryKind[] {
    const order = KINDS.map(([k]) => k);
    const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
    return [...this.kinds.values()].sort((a, b) => rank(a.kind) - rank(b.kind));
  }
}

/**
 * A sketch of the same reads and the advance done per batch rather than per action, in plain SQL, rolled back: the
 * claim, the claimed actions, their incidents and involved people, their owners, the teams, the managers and leads,
 * and one UPDATE moving every claimed action on. It computes no ladder times (each action is moved a day on), so it is
 * what the database side of a batched planStep would cost, not a product measurement.
 */
export async function batchedSketch(client: pg.Client, claim: ClaimQuery): Promise<{ actions: number; queries: number; ms: number }> {
  await client.query("begin");
  try {
    const t0 = performance.now();
    let queries = 0;
    const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
      queries++;
      return (await client.query<R>(text, values)).rows;
    };
    const claimed = await q<{ id: number }>(claim.sql, claim.parameters);
    const ids = claimed.map((r) => r.id);
    const actions = await q<{ id: number; incident_id: number; owner_id: string; due_at: Date }>(
      `select action.*, incident.number as incident_number from action join incident on incident.id = action.incident_id where action.id = any($1)`,
      [ids],
    );
    const incidentIds = [...new Set(actions.map((a) => a.incident_id))];
    const incidents = await q<{ id: number; team_id: number | null }>(`select * from incident where id = any($1)`, [incidentIds]);
    await q(`select incident_id, person_id from incident_person where incident_id = any($1)`, [incidentIds]);
    const owners = await q<{ id: string; manager_id: string | null }>(`select * from person where id = any($1)`, [[...new Set(actions.map((a) => a.owner_id))]]);
    const teams = await q<{ id: number; lead_id: string | null }>(`select * from team where id = any($1)`, [
      [...new Set(incidents.flatMap((i) => (i.team_id === null ? [] : [i.team_id])))],
    ]);
    const others = new Set([...owners.flatMap((o) => (o.manager_id ? [o.manager_id] : [])), ...teams.flatMap((t) => (t.lead_id ? [t.lead_id] : []))]);
    await q(`select * from person where id = any($1)`, [[...others]]);
    await q(
      `update action set next_step_at = v.next, escalation_step = action.escalation_step + 1
         from (select unnest($1::int[]) as id, unnest($2::timestamptz[]) as next) v where action.id = v.id`,
      [actions.map((a) => a.id), actions.map((a) => new Date(a.due_at.getTime() + 86_400_000))],
    );
    return { actions: actions.length, queries, ms: performance.now() - t0 };
  } finally {
    await client.query("rollback");
  }
}
