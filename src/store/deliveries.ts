import { sql, type Selectable } from "kysely";
import type { MessageRef, Platform } from "../ports.ts";
import type { MessageView } from "../views/view.ts";
import type { DbOrTx } from "./database.ts";
import type { DeliveryStatus, DeliveryTable } from "./schema.ts";

/** A message the bot sends on its own, as the outbox recorded it and the delivery worker moves it on. */
export interface Delivery {
  readonly id: string;
  /** Names the message's purpose, e.g. "incident-12-announce". */
  readonly dedupeKey: string;
  readonly platform: Platform;
  readonly workspaceId: string;
  /** Whom it goes to: a person, a channel, or (`message`) the delivery whose message it edits. */
  readonly target: { readonly kind: DeliveryTargetKind; readonly id: string };
  readonly view: MessageView;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  /** Not sent before this; null means as soon as possible. */
  readonly notBefore: Date | null;
  /** Where the message landed, once sent. */
  readonly landed: MessageRef | null;
  readonly createdAt: Date;
  readonly claimedAt: Date | null;
  readonly sentAt: Date | null;
  /**
   * Set when an earlier send may have reached the platform without the row saying so (its worker died mid-send): the
   * claim of that send. The next send first looks for the message there. Null once sent, or when no send is in doubt.
   */
  readonly uncertainSince: Date | null;
}

export type DeliveryTargetKind = DeliveryTable["target_kind"];

/** A row to record; ids and statuses are the database's. */
export interface NewDelivery {
  readonly dedupeKey: string;
  readonly platform: Platform;
  readonly workspaceId: string;
  readonly target: Delivery["target"];
  readonly view: MessageView;
  readonly notBefore?: Date;
}

/** A delivery read to be sent, with how long it has yet to wait by the database's clock (0 once due). */
export type DeliveryToSend = Delivery & { readonly dueInMs: number };

// Rows are mapped here and nowhere else.
function toDelivery(row: Selectable<DeliveryTable>): Delivery {
  return {
    id: String(row.id),
    dedupeKey: row.dedupe_key,
    platform: row.platform as Platform,
    workspaceId: row.workspace_id,
    target: { kind: row.target_kind, id: row.target_id },
    view: row.view as MessageView,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    notBefore: row.not_before,
    landed: row.message_channel_id && row.message_id ? { channelId: row.message_channel_id, messageId: row.message_id } : null,
    createdAt: row.created_at,
    claimedAt: row.claimed_at,
    sentAt: row.sent_at,
    uncertainSince: row.uncertain_since,
  };
}

// Compared on the database's clock, as claimed_at is stamped: workers and the database may disagree by a little.
const DUE_IN_MS = sql<number>`greatest(0, ceil(extract(epoch from (not_before - now())) * 1000))::float8`;

/** Records new deliveries; a dedupe key already recorded is skipped. Returns the ids of rows this call created. */
export async function insertDeliveries(db: DbOrTx, deliveries: readonly NewDelivery[]): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const rows = await db
    .insertInto("delivery")
    .values(
      deliveries.map((d) => ({
        dedupe_key: d.dedupeKey,
        platform: d.platform,
        workspace_id: d.workspaceId,
        target_kind: d.target.kind,
        target_id: d.target.id,
        view: JSON.stringify(d.view),
        not_before: d.notBefore ?? null,
      })),
    )
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .execute();
  return rows.map((r) => String(r.id));
}

export async function findDelivery(db: DbOrTx, id: string): Promise<Delivery | undefined> {
  const row = await db.selectFrom("delivery").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toDelivery(row);
}

export async function findDeliveryByKey(db: DbOrTx, dedupeKey: string): Promise<Delivery | undefined> {
  const row = await db.selectFrom("delivery").selectAll().where("dedupe_key", "=", dedupeKey).executeTakeFirst();
  return row && toDelivery(row);
}

/** A delivery as the worker reads it before sending: the row, and how long until it may go. */
export async function findDeliveryToSend(db: DbOrTx, id: string): Promise<DeliveryToSend | undefined> {
  const row = await db.selectFrom("delivery").selectAll().select(DUE_IN_MS.as("due_in_ms")).where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  const { due_in_ms, ...delivery } = row;
  return { ...toDelivery(delivery), dueInMs: Number(due_in_ms ?? 0) };
}

/** How long each of these deliveries has yet to wait; those due now, or gone, are left out. */
export async function dueTimes(db: DbOrTx, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("delivery")
    .select(["id", DUE_IN_MS.as("due_in_ms")])
    .where("id", "in", ids)
    .where("not_before", ">", sql<Date>`now()`)
    .execute();
  return new Map(rows.map((r) => [String(r.id), Number(r.due_in_ms)]));
}

/**
 * Rewrites the view of a delivery not yet sent (pending, or sending: a retried send then posts the new words).
 * Returns the delivery as it now stands; undefined when none by that key is unsent.
 */
export async function rewriteUnsentView(db: DbOrTx, dedupeKey: string, view: MessageView): Promise<Delivery | undefined> {
  const row = await db
    .updateTable("delivery")
    .set({ view: JSON.stringify(view) })
    .where("dedupe_key", "=", dedupeKey)
    .where("status", "in", ["pending", "sending"])
    .returningAll()
    .executeTakeFirst();
  return row && toDelivery(row);
}

/**
 * Takes a pending, due delivery for sending, stamped with the database's clock. Undefined when it is not pending (sent,
 * failed, gone, or another worker has it) or not yet due.
 */
export async function claimDelivery(db: DbOrTx, id: string): Promise<Delivery | undefined> {
  const row = await db
    .updateTable("delivery")
    .set((eb) => ({ status: "sending", attempts: eb("attempts", "+", 1), claimed_at: sql<Date>`now()` }))
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("not_before", "is", null), eb("not_before", "<=", sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
  return row && toDelivery(row);
}

/**
 * Claims, in one statement, those of these deliveries that can be posted at once: pending, due, new messages (not
 * edits) and no earlier send in doubt. Returns them claimed, in id order; the rest are left as they were.
 */
export async function claimDeliveriesToPost(db: DbOrTx, ids: readonly string[]): Promise<Delivery[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable("delivery")
    .set((eb) => ({ status: "sending", attempts: eb("attempts", "+", 1), claimed_at: sql<Date>`now()` }))
    .where("id", "in", ids)
    .where("status", "=", "pending")
    .where("target_kind", "!=", "message")
    .where("uncertain_since", "is", null)
    .where((eb) => eb.or([eb("not_before", "is", null), eb("not_before", "<=", sql<Date>`now()`)]))
    .returningAll()
    .execute();
  return rows.map(toDelivery).sort((a, b) => Number(a.id) - Number(b.id));
}

/** Those of these deliveries still pending (not sent, failed, gone, or being sent by a worker). */
export async function stillPending(db: DbOrTx, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("delivery").select("id").where("id", "in", ids).where("status", "=", "pending").orderBy("id").execute();
  return rows.map((r) => String(r.id));
}

/** Hands back a claim that was never used (the conversation's turn had not come): pending again, the try not counted. */
export async function unclaimDelivery(db: DbOrTx, id: string): Promise<void> {
  await db
    .updateTable("delivery")
    .set((eb) => ({ status: "pending", attempts: eb("attempts", "-", 1), claimed_at: null }))
    .where("id", "=", id)
    .where("status", "=", "sending")
    .execute();
}

/**
 * Puts a claimed delivery back for the next try. `uncertain`: the platform may have taken the message all the same (the
 * send failed without a clear answer), so the row keeps this claim as `uncertain_since` unless an earlier one is kept.
 */
export async function releaseDelivery(db: DbOrTx, id: string, error: string, options: { uncertain?: boolean } = {}): Promise<void> {
  await db
    .updateTable("delivery")
    .set((eb) => ({
      status: "pending",
      last_error: error,
      claimed_at: null,
      ...(options.uncertain ? { uncertain_since: eb.fn.coalesce("uncertain_since", "claimed_at") } : {}),
    }))
    .where("id", "=", id)
    .where("status", "=", "sending")
    .execute();
}

/** Records where a sent message landed. */
export async function markDeliverySent(db: DbOrTx, id: string, landed: MessageRef): Promise<void> {
  await db
    .updateTable("delivery")
    .set({
      status: "sent",
      sent_at: sql<Date>`now()`,
      message_channel_id: landed.channelId,
      message_id: landed.messageId,
      last_error: null,
      uncertain_since: null,
    })
    .where("id", "=", id)
    .execute();
}

/** Fails a delivery for good if it is still in `from`; returns its platform when this call failed it. */
export async function markDeliveryFailed(db: DbOrTx, id: string, error: string, from: "pending" | "sending"): Promise<Platform | undefined> {
  const row = await db
    .updateTable("delivery")
    .set({ status: "failed", last_error: error })
    .where("id", "=", id)
    .where("status", "=", from)
    .returning("platform")
    .executeTakeFirst();
  return row?.platform as Platform | undefined;
}

/**
 * Puts back to pending every delivery claimed longer ago than `staleMs` (database clock); returns how many. The worker
 * that claimed it died mid-send, so whether the platform has the message is unknown: the row keeps, as
 * `uncertain_since`, the claim of the earliest send in doubt, and the next send looks for the message first.
 */
export async function releaseStaleDeliveries(db: DbOrTx, staleMs: number, reason: string): Promise<number> {
  const rows = await db
    .updateTable("delivery")
    .set((eb) => ({
      status: "pending",
      claimed_at: null,
      last_error: reason,
      uncertain_since: eb.fn.coalesce("uncertain_since", "claimed_at"),
    }))
    .where("status", "=", "sending")
    .where("claimed_at", "<", sql<Date>`now() - ${Math.round(staleMs)}::double precision * interval '1 millisecond'`)
    .returning("id")
    .execute();
  return rows.length;
}

/** Every pending delivery, oldest first. */
export async function pendingDeliveryIds(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectFrom("delivery").select("id").where("status", "=", "pending").orderBy("created_at").execute();
  return rows.map((r) => String(r.id));
}
