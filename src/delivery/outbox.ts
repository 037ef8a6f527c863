import type { ChannelRef, PersonRef, Platform } from "../ports.ts";
import type { DbOrTx } from "../store/database.ts";
import { findDeliveryByKey, insertDeliveries, rewriteUnsentView, type NewDelivery } from "../store/deliveries.ts";
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
  /** Not sent before this (a prompt a day after an incident); absent means as soon as possible. */
  notBefore?: Date;
}

/**
 * Puts the job for each stored delivery on the queue, held until the row's `notBefore` if it has one. Losing a call is
 * safe: the reconcile job re-queues pending rows.
 */
export interface DeliveryScheduler {
  schedule(deliveryIds: readonly string[]): Promise<void>;
}

/** Where a request's row goes: the target id is the person, the channel, or the id of the delivery an edit changes. */
function placeOf(target: DeliveryTarget): Pick<NewDelivery, "platform" | "workspaceId" | "target"> {
  switch (target.kind) {
    case "person":
      return { platform: target.person.platform, workspaceId: target.person.workspaceId, target: { kind: "person", id: target.person.userId } };
    case "channel":
      return { platform: target.channel.platform, workspaceId: target.channel.workspaceId, target: { kind: "channel", id: target.channel.channelId } };
    case "message":
      return { platform: target.delivery.platform, workspaceId: target.delivery.workspaceId, target: { kind: "message", id: target.delivery.id } };
  }
}

const toNewDelivery = ({ dedupeKey, target, view, notBefore }: DeliveryRequest): NewDelivery => ({
  dedupeKey,
  view,
  ...placeOf(target),
  ...(notBefore ? { notBefore } : {}),
});

/**
 * Records deliveries in the caller's transaction, so a message exists exactly when the change it tells of does.
 * Returns the ids of rows this call created; a repeated dedupe key returns nothing new.
 */
export async function recordDeliveries(db: DbOrTx, requests: readonly DeliveryRequest[]): Promise<string[]> {
  return insertDeliveries(db, requests.map(toNewDelivery));
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
  const original = (await rewriteUnsentView(db, dedupeKey, view)) ?? (await findDeliveryByKey(db, dedupeKey));
  // Pending: the rewrite is enough. Failed: nothing was posted, so there is nothing to edit.
  if (!original || original.status === "pending" || original.status === "failed") return [];
  const delivery = { id: original.id, platform: original.platform, workspaceId: original.workspaceId };
  return recordDeliveries(db, [{ dedupeKey: editKey, target: { kind: "message", delivery }, view }]);
}
