import type { Incident } from "../domain/incident.ts";
import type { DeliveryRequest } from "../delivery/outbox.ts";
import type { DbOrTx } from "../store/database.ts";
import { findPerson, type Person } from "../store/people.ts";
import type { Team } from "../store/teams.ts";
import { incidentDetailView, type IncidentPeople } from "../views/incident-views.ts";
import { zoneOf } from "./action-access.ts";
import type { CoreDeps } from "./deps.ts";

/**
 * A restricted incident's details go to the team lead by direct message at once, whatever the hour (DOMAIN.md).
 * Undefined when the team has no lead to tell.
 */
export async function leadBriefing(
  db: DbOrTx,
  incident: Incident,
  team: Team | undefined,
  people: IncidentPeople,
  deps: Pick<CoreDeps, "config">,
): Promise<DeliveryRequest | undefined> {
  const lead = team?.leadId ? await findPerson(db, team.leadId) : undefined;
  return briefingFor(lead, incident, people, deps);
}

/** The lead's briefing, when the lead has already been looked up. */
export function briefingFor(
  lead: Person | undefined,
  incident: Incident,
  people: IncidentPeople,
  deps: Pick<CoreDeps, "config">,
): DeliveryRequest | undefined {
  if (!lead) return undefined;
  return {
    dedupeKey: `incident-${incident.id}-lead`,
    target: { kind: "person", person: lead.ref },
    // Times in the lead's own zone when their profile gives one, as they read it wherever they are.
    view: incidentDetailView(incident, people, zoneOf(lead, deps), "A restricted incident has been logged in your team. You are told at once as the team's lead."),
  };
}
