import type { IncidentAudience } from "../domain/access.ts";
import type { Incident } from "../domain/incident.ts";
import type { DbOrTx } from "../store/database.ts";
import { findPeople, type Person } from "../store/people.ts";
import { findTeam } from "../store/teams.ts";
import type { IncidentPeople } from "../views/incident-views.ts";
import { personName } from "./people.ts";

export interface IncidentCircle {
  audience: IncidentAudience;
  /** Everyone on the record, by person id, for naming them in views. */
  people: Map<string, Person>;
}

/** Who needs to know about an incident: its reporter, those involved, their line managers and the team lead. */
export async function incidentCircle(db: DbOrTx, incident: Incident): Promise<IncidentCircle> {
  const people = await findPeople(db, [incident.reporterId, ...incident.involved]);
  const team = incident.teamId === null ? undefined : await findTeam(db, incident.teamId);
  return {
    audience: {
      reporterId: incident.reporterId,
      involved: incident.involved,
      leadId: team?.leadId ?? null,
      managers: people.flatMap((p) => (p.managerId ? [p.managerId] : [])),
    },
    people: new Map(people.map((p) => [p.id, p])),
  };
}

/** The reporter and those involved as views mention them: platform user ids and display names. */
export function viewPeople(incident: Incident, circle: IncidentCircle): IncidentPeople {
  const named = (id: string) => {
    const person = circle.people.get(id);
    return person ? personName(person) : undefined;
  };
  return {
    reporter: named(incident.reporterId) ?? null,
    involved: incident.involved.flatMap((id) => named(id) ?? []),
  };
}
