import type { IncidentAudience } from "../domain/access.ts";
import type { Incident } from "../domain/incident.ts";
import type { DbOrTx } from "../store/database.ts";
import { findPeople, type Person } from "../store/people.ts";
import { findTeam } from "../store/teams.ts";

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

/** The platform user ids of the reporter and those involved, for mentions in views. */
export function viewPeople(incident: Incident, circle: IncidentCircle): { reporter: string | null; involved: string[] } {
  const userId = (id: string) => circle.people.get(id)?.ref.userId;
  return {
    reporter: userId(incident.reporterId) ?? null,
    involved: incident.involved.flatMap((id) => userId(id) ?? []),
  };
}
