import { sql, type ControlledTransaction, type Transaction, type TransactionBuilder } from "kysely";
import type { Db } from "../store/database.ts";
import type { Database } from "../store/schema.ts";

/**
 * The request's transaction as use cases see it, as `deps.db`. Use cases open their own transaction with
 * `deps.db.transaction().execute(fn)`, which Kysely refuses inside a transaction; here it opens a savepoint instead,
 * so each use case keeps its meaning: a refusal it throws undoes its own writes, and a caller that catches it (a
 * repeated quick log, a problem shown beside a form input) carries on in the request's transaction.
 */
export function withSavepoints(trx: ControlledTransaction<Database>): Db {
  let opened = 0;
  const savepoint = {
    async execute<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
      // Numbered, so a use case run inside another's transaction nests rather than reuses a name.
      const name = sql.id(`use_case_${++opened}`);
      // Plain SQL rather than Kysely's savepoint(): the PGlite driver has no savepoint methods, and Kysely then
      // skips the statement without a word.
      await sql`savepoint ${name}`.execute(trx);
      try {
        // Not released when done: commit frees it anyway, and a release would be one more round trip while the use
        // case's locks (a workspace's next reference, say) wait for the request to commit.
        return await work(trx);
      } catch (err) {
        // A connection that has gone cannot roll back either; the request's own rollback then fails and says so.
        await sql`rollback to savepoint ${name}`.execute(trx).catch(() => undefined);
        throw err;
      }
    },
    setAccessMode(): never {
      throw new Error("a use case inside a request's transaction cannot set its access mode");
    },
    setIsolationLevel(): never {
      throw new Error("a use case inside a request's transaction cannot set its isolation level");
    },
  };
  // Kysely keeps its state in private fields, so every other member is the transaction's own, bound to it.
  return new Proxy(trx, {
    get(target, property) {
      if (property === "transaction") return () => savepoint as unknown as TransactionBuilder<Database>;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
