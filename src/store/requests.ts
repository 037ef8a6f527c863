import { sql } from "kysely";
import type { DbOrTx } from "./database.ts";

/**
 * Claims a request for the caller's transaction. Returns false when the request was done before: then its row is
 * committed and holds what it answered. A claim made by a transaction still running waits for it (the primary key
 * holds the second insert), so two runs at once see one claim.
 */
export async function claimRequest(tx: DbOrTx, workspaceId: string, requestId: string): Promise<boolean> {
  const claimed = await tx
    .insertInto("request")
    .values({ workspace_id: workspaceId, request_id: requestId })
    .onConflict((oc) => oc.columns(["workspace_id", "request_id"]).doNothing())
    .returning("request_id")
    .executeTakeFirst();
  return claimed !== undefined;
}

/** What a request done before answered; undefined if its row has gone since (pruned). */
export async function requestOutcome(db: DbOrTx, workspaceId: string, requestId: string): Promise<unknown> {
  const row = await db
    .selectFrom("request")
    .select("outcome")
    .where("workspace_id", "=", workspaceId)
    .where("request_id", "=", requestId)
    .executeTakeFirst();
  return row?.outcome ?? undefined;
}

/** Stores what the claimed request answered, in the transaction that claimed it. */
export async function recordRequestOutcome(tx: DbOrTx, workspaceId: string, requestId: string, outcome: unknown): Promise<void> {
  await tx
    .updateTable("request")
    .set({ outcome: JSON.stringify(outcome) })
    .where("workspace_id", "=", workspaceId)
    .where("request_id", "=", requestId)
    .execute();
}

/**
 * How long a request is remembered. A retried command is given up within minutes and its failed job is kept an hour,
 * so after a day only a button on an old message could come again; past that, the work's own checks (already done,
 * already closed) answer it. What a request answered can quote an incident's details, so it is not kept longer.
 */
export const REQUEST_KEPT_MS = 24 * 60 * 60_000;

/** Forgets requests older than `maxAgeMs`; a periodic job runs it (src/requests/prune-job.ts). */
export async function pruneRequests(db: DbOrTx, maxAgeMs = REQUEST_KEPT_MS): Promise<number> {
  const result = await db
    .deleteFrom("request")
    .where("created_at", "<", sql<Date>`now() - ${Math.round(maxAgeMs)}::double precision * interval '1 millisecond'`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
