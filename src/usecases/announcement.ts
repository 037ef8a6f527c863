import type { Incident } from "../domain/incident.ts";
import { reviseDelivery, type DeliveryRequest } from "../delivery/outbox.ts";
import type { ChannelRef } from "../ports.ts";
import type { DbOrTx } from "../store/database.ts";
import { announcementView, type IncidentPeople } from "../views/incident-views.ts";

const announcementKey = (incident: Incident): string => `incident-${incident.id}-announce`;

/** The team channel's announcement of a newly logged incident. */
export function announcement(incident: Incident, channel: ChannelRef, people: IncidentPeople, zone: string): DeliveryRequest {
  return { dedupeKey: announcementKey(incident), target: { kind: "channel", channel }, view: announcementView(incident, people, zone) };
}

/**
 * An incident that has just become restricted may no longer show its summary to the channel (DOMAIN.md): its
 * announcement is rewritten if it has not gone out yet, and edited where it landed if it has. Returns the ids of
 * deliveries to schedule; none when there was no announcement (no team) or it never went out.
 */
export function restrictAnnouncement(db: DbOrTx, incident: Incident, people: IncidentPeople, zone: string): Promise<string[]> {
  const key = announcementKey(incident);
  return reviseDelivery(db, key, announcementView(incident, people, zone), `${key}-restricted`);
}
