import { randomBytes } from "node:crypto";
import { admin as adminOn } from "../../test/support/postgres.ts";
import { clearPrefix } from "../../test/support/redis.ts";

/** A database and a Redis key prefix of the bench's own, on the shared local servers, removed afterwards. */

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Resources {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Drops the database and deletes every key under the prefix; safe to call twice. */
  release(): Promise<void>;
}

// Names carry their creation time, so a later run can tell a leftover (from a bench killed with SIGKILL) from a
// bench running now: debrief_bench_<unix seconds>_<random>.
const LEFTOVER_AFTER_S = 3600;

export async function provision(): Promise<Resources> {
  await removeLeftovers();
  const id = `${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
  const database = `debrief_bench_${id}`;
  await admin(`create database ${database}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  const redisPrefix = `debrief-bench-${id}`;
  let released: Promise<void> | undefined;
  return {
    databaseUrl: url.toString(),
    redisUrl: REDIS_URL,
    redisPrefix,
    release() {
      // `with (force)`: a child killed mid-run may still hold connections.
      released ??= Promise.all([admin(`drop database if exists ${database} with (force)`), deleteKeys(redisPrefix)]).then(() => undefined);
      return released;
    },
  };
}

/** Databases and keys of bench runs that ended without cleaning up: over an hour old and no longer connected to. */
async function removeLeftovers(): Promise<void> {
  const cutoff = Math.floor(Date.now() / 1000) - LEFTOVER_AFTER_S;
  const { rows } = await admin(
    `select datname from pg_database d where datname ~ '^debrief_bench_[0-9]+_[0-9a-f]+$'
       and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)`,
  );
  for (const { datname } of rows) {
    const created = Number(String(datname).split("_")[2]);
    if (created >= cutoff) continue;
    await admin(`drop database if exists ${String(datname)}`);
    await deleteKeys(`debrief-bench-${String(datname).slice("debrief_bench_".length)}`);
  }
}

const admin = (statement: string) => adminOn(statement, POSTGRES_URL);

// Fails fast rather than retrying, so a bench with no Redis stops with a clear error instead of hanging in cleanup.
const deleteKeys = (prefix: string) => clearPrefix(`${prefix}:`, REDIS_URL, { maxRetriesPerRequest: 1 });
