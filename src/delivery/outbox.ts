import type { ChannelRef, PersonRef, Platform } from "../ports.ts";
import type { DbOrTx } from "../store/database.ts";
import type { MessageView } from "../views/view.ts";

/** A delivery already recorded, as an edit names the message it changes. */
export interface RecordedDelivery {
  id: string;
  platform: Platform;
  workspaceId: string;
}

export type DeliveryTarget =
  | { kind: "person"; person: PersonRef }
  | { kind: "channel"; channel: ChannelRef }
  /**
   * Edits the message another delivery posted. It names that delivery rather than the message, because the message
   * may not exist yet (its row is still sending): the worker reads where it landed once that row is sent.
   */
  | { kind: "message"; delivery: RecordedDelivery };

export interface DeliveryRequest {
  /** Names the message's purpose, e.g. "incident-12-announce"; asking twice delivers once. */
  dedupeKey: string;
  target: DeliveryTarget;
  view: MessageView;
}

/** Puts the job for each stored delivery on the queue. Losing a call is safe: the reconcile job re-queues pending rows. */
export interface DeliveryScheduler {
  schedule(deliveryIds: readonly string[]): Promise<void>;
}

/** Where a target's row lives: target_id is the person, the channel, or the id of the delivery an edit changes. */
function placeOf(target: DeliveryTarget): { platform: Platform; workspace_id: string; target_id: string } {
  switch (target.kind) {
    case "person":
      return { platform: target.person.platform, workspace_id: target.person.workspaceId, target_id: target.person.userId };
    case "channel":
      return { platform: target.channel.platform, workspace_id: target.channel.workspaceId, target_id: target.channel.channelId };
    case "message":
      return { platform: target.delivery.platform, workspace_id: target.delivery.workspaceId, target_id: target.delivery.id };
  }
}

/**
 * Records deliveries in the caller's transaction, so a message exists exactly when the change it tells of does.
 * Returns the ids of rows this call created; a repeated dedupe key returns nothing new.
 */
export async function recordDeliveries(db: DbOrTx, requests: readonly DeliveryRequest[]): Promise<string[]> {
  if (requests.length === 0) return [];
  const rows = await db
    .insertInto("delivery")
    .values(requests.map((r) => ({ dedupe_key: r.dedupeKey, target_kind: r.target.kind, ...placeOf(r.target), view: JSON.stringify(r.view) })))
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .execute();
  return rows.map((r) => String(r.id));
}

/**
 * Changes what a recorded message says, in the caller's transaction. A message not yet claimed by a worker is
 * rewritten, so the old words are never posted. One a worker has (sending) or that is out (sent) gets an edit,
 * recorded under `editKey`. Returns the ids of rows to schedule; none when there was no such message, or it failed.
 */
export async function reviseDelivery(db: DbOrTx, dedupeKey: string, view: MessageView, editKey: string): Promise<string[]> {
  // A worker's claim and this update lock the same row, so exactly one sees it pending: either the worker sends the
  // new view, or this finds it sending. A sending row is rewritten too, though the worker already holds what it sends:
  // if that send fails and is retried, the retry posts the new words rather than the old ones.
  const original =
    (await db
      .updateTable("delivery")
      .set({ view: JSON.stringify(view) })
      .where("dedupe_key", "=", dedupeKey)
      .where("status", "in", ["pending", "sending"])
      .returning(["id", "platform", "workspace_id", "status"])
      .executeTakeFirst()) ??
    (await db.selectFrom("delivery").select(["id", "platform", "workspace_id", "status"]).where("dedupe_key", "=", dedupeKey).executeTakeFirst());
  // Pending: the rewrite is enough. Failed: nothing was posted, so there is nothing to edit.
  if (!original || original.status === "pending" || original.status === "failed") return [];
  const delivery = { id: String(original.id), platform: original.platform as Platform, workspaceId: original.workspace_id };
  return recordDeliveries(db, [{ dedupeKey: editKey, target: { kind: "message", delivery }, view }]);
}
