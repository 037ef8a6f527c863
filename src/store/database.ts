import { mkdir } from "node:fs/promises";
import { Kysely, Migrator, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import { migrations } from "../../migrations/index.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;
/** Repositories take either the database or a transaction as their first argument. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;

/** Runs `work` in the caller's transaction when it has one, else in a transaction of its own. */
export function inTransaction<T>(db: DbOrTx, work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

export interface DatabaseOptions {
  /** Postgres URL; null means embedded PGlite in `dataDir/pglite`. */
  url: string | null;
  dataDir: string;
  /** Called when an idle connection fails (Postgres restarted); without a listener pg would crash the process. */
  onIdleError?: (err: Error) => void;
}

// Slack allows 3 seconds: a database that does not answer must fail fast enough to say so. But pg's pool applies its
// connectionTimeoutMillis to waiting for a free connection too, and a burst of reports queued behind a busy pool is
// not an outage: it was telling them "could not reach the database" while Postgres was up. So each new connection
// gets its own short timeout, and a request may wait longer for a connection another request is using.
const CONNECT_TIMEOUT_MS = 1500;
const POOL_WAIT_MS = 10_000;

class FastConnectClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      // Opening a connection fails fast (FastConnectClient); waiting for a free one may take longer.
      Client: FastConnectClient,
      connectionTimeoutMillis: POOL_WAIT_MS,
      query_timeout: 2000,
      // Opened connections stay open: prompts and reminders fall due in bursts after quiet spells, and a pool that had
      // closed its idle connections opened them again mid-burst, at a cost the burst's first second paid for
      // (bench/prompt-fanout). At most `max` per process, which Postgres has room for.
      idleTimeoutMillis: 0,
    });
    pool.on("error", (err) => options.onIdleError?.(err));
    // pg-pool drops its own listener while a client is checked out, and Kysely adds none: a socket lost then would
    // otherwise be an unhandled 'error' event that kills the process. The failed query still rejects as it should.
    pool.on("connect", (client) => client.on("error", (err) => options.onIdleError?.(err)));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  // Loaded only when used: PGlite is a large WASM module and servers with DATABASE_URL never need it.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("kysely-pglite-dialect"),
  ]);
  const dir = `${options.dataDir}/pglite`;
  await mkdir(dir, { recursive: true });
  return new Kysely<Database>({ dialect: new PGliteDialect(new PGlite(dir)) });
}

// Postgres's insufficient_privilege: "permission denied for …" and "must be owner of …".
const mayNotMigrate = (error: unknown) => (error as { code?: unknown } | undefined)?.code === "42501";
// Under a least-privilege role (see the README) the app may read which migrations ran but not change the schema.
const OWNER_MIGRATES =
  ". Run `npm run migrate` with the owner's DATABASE_URL, then start again; the role Debrief runs as needs the grants " +
  'in the README\'s "Running under a least-privilege database role".';

/** Applies every pending migration; the Migrator's lock makes processes starting together safe. */
// Migrations see the database untyped: they are frozen and must not follow the live schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const which = failed ? ` ${failed.migrationName}` : "";
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration${which} failed: ${reason}${mayNotMigrate(error) ? OWNER_MIGRATES : ""}`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}
