import type { ChannelRef, PersonRef } from "../ports.ts";
import type { DbOrTx } from "../store/database.ts";
import type { MessageView } from "../views/view.ts";

export type DeliveryTarget = { kind: "person"; person: PersonRef } | { kind: "channel"; channel: ChannelRef };

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

/**
 * Records deliveries in the caller's transaction, so a message exists exactly when the change it tells of does.
 * Returns the ids of rows this call created; a repeated dedupe key returns nothing new.
 */
export async function recordDeliveries(db: DbOrTx, requests: readonly DeliveryRequest[]): Promise<string[]> {
  if (requests.length === 0) return [];
  const rows = await db
    .insertInto("delivery")
    .values(
      requests.map((r) => {
        const place = r.target.kind === "person" ? r.target.person : r.target.channel;
        return {
          dedupe_key: r.dedupeKey,
          platform: place.platform,
          workspace_id: place.workspaceId,
          target_kind: r.target.kind,
          target_id: r.target.kind === "person" ? r.target.person.userId : r.target.channel.channelId,
          view: JSON.stringify(r.view),
        };
      }),
    )
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .execute();
  return rows.map((r) => String(r.id));
}
