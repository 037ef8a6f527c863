import type { Settings } from "../../config.ts";
import { firstStage, nextStage, type EscalationClocks } from "../../domain/escalation.ts";
import type { Incident } from "../../domain/incident.ts";
import { zoneFor } from "../../domain/prompt-time.ts";
import type { NextStage } from "../../store/actions.ts";
import type { DbOrTx } from "../../store/database.ts";
import type { Person } from "../../store/people.ts";
import { findTeam, type Team } from "../../store/teams.ts";
import { teamSettings } from "../../usecases/team-settings.ts";

/** Everything the ladder's times depend on for one action: the team's ladder, whose clocks, and whether it waits. */
export interface LadderContext {
  readonly ladder: Settings["escalationLadder"];
  readonly clocks: EscalationClocks;
  /** Restricted incidents do not wait for the team's working hours. */
  readonly restricted: boolean;
  readonly team: Team | undefined;
}

/** What of an incident the ladder depends on: its team, and whether it is restricted. */
export type LadderIncident = Pick<Incident, "teamId" | "restricted">;

export async function ladderContext(db: DbOrTx, base: Settings, incident: LadderIncident, owner: Pick<Person, "timeZone">): Promise<LadderContext> {
  const team = incident.teamId === null ? undefined : await findTeam(db, incident.teamId);
  const settings = teamSettings(base, team);
  const teamZone = zoneFor(settings.teamTimeZone, settings.timeZone);
  return {
    ladder: settings.escalationLadder,
    clocks: {
      owner: { zone: zoneFor(owner.timeZone, settings.teamTimeZone, settings.timeZone), workingHours: settings.workingHours },
      team: { zone: teamZone, workingHours: settings.workingHours },
    },
    restricted: incident.restricted,
    team,
  };
}

/** Where a new due time starts the climb: the reminder before it if that is still ahead, else the ladder. */
export async function startOfLadder(db: DbOrTx, base: Settings, incident: LadderIncident, owner: Pick<Person, "timeZone">, dueAt: Date, now: Date): Promise<NextStage | null> {
  const { ladder, clocks, restricted } = await ladderContext(db, base, incident, owner);
  return firstStage(dueAt, ladder, clocks, restricted, now);
}

/** The stage after the one just taken, or null past the ladder's end. */
export function stageAfter(context: LadderContext, dueAt: Date, taken: number): NextStage | null {
  return nextStage(dueAt, context.ladder, taken, context.clocks, context.restricted);
}
