import { sql } from "kysely";
import { canSeeWhoHasNotAnswered, showsTeamFigures } from "../../domain/reflection-privacy.ts";
import type { Interaction } from "../../interaction.ts";
import type { Team } from "../../store/teams.ts";
import { isAdmin } from "../../usecases/admins.ts";
import type { CoreDeps } from "../../usecases/deps.ts";
import { knownPerson, personName } from "../../usecases/people.ts";
import { teamOf } from "../../usecases/team-spaces.ts";
import type { PersonName } from "../../views/view.ts";

// Team figures look back this far: long enough to mean something, short enough to be about the team as it is.
const FIGURES_DAYS = 90;

export interface ReportWaiting {
  readonly person: PersonName;
  /** Prompts sent and not yet answered. */
  readonly waiting: number;
  /** Prompts that closed unanswered in the figures' window. */
  readonly lapsed: number;
}

export interface Overview {
  /** My own reports, each with counts only: never what anyone wrote. */
  readonly reports: readonly ReportWaiting[];
  readonly team: Team | undefined;
  /** Null when I may not see them, or the team is too small for figures that name nobody. */
  readonly figures: { sent: number; answered: number; days: number } | null;
  readonly members: number;
  readonly mayAskFigures: boolean;
}

/**
 * /reflect team: for a line manager, which of their own reports have reflections waiting (counts, never content); for
 * the lead or an admin, and a manager in the team, the team's answer rate, only where the team has at least 5 members.
 */
export async function reflectionsOverview(deps: CoreDeps, interaction: Interaction): Promise<Overview> {
  const me = await knownPerson(deps, interaction.actor);
  const people = await deps.db.selectFrom("person").selectAll().where("manager_id", "=", me.id).orderBy("display_name").execute();
  const mine = people.filter((p) => canSeeWhoHasNotAnswered(me.id, { managerId: p.manager_id }));
  const since = sql<Date>`now() - ${FIGURES_DAYS} * interval '1 day'`;
  const counts = mine.length
    ? await deps.db
        .selectFrom("reflection_prompt")
        .select(["person_id", sql<number>`count(*) filter (where status = 'sent')::int`.as("waiting"), sql<number>`count(*) filter (where status = 'expired' and finished_at > ${since})::int`.as("lapsed")])
        .where("person_id", "in", mine.map((p) => p.id))
        .groupBy("person_id")
        .execute()
    : [];
  const byPerson = new Map(counts.map((c) => [c.person_id, c]));
  const reports = mine.map((p) => ({
    person: personName({ id: p.id, ref: { platform: interaction.actor.platform, workspaceId: interaction.actor.workspaceId, userId: p.user_id }, displayName: p.display_name, timeZone: p.time_zone, managerId: p.manager_id, teamId: p.team_id }),
    waiting: byPerson.get(p.id)?.waiting ?? 0,
    lapsed: byPerson.get(p.id)?.lapsed ?? 0,
  }));

  const team = await teamOf(deps.db, interaction, me);
  if (!team) return { reports, team, figures: null, members: 0, mayAskFigures: false };
  const members = Number((await deps.db.selectFrom("person").select(sql<number>`count(*)::int`.as("n")).where("team_id", "=", team.id).executeTakeFirst())?.n ?? 0);
  const mayAskFigures = team.leadId === me.id || mine.some((p) => p.team_id === team.id) || (await isAdmin(deps, interaction.actor));
  if (!mayAskFigures || !showsTeamFigures(members)) return { reports, team, figures: null, members, mayAskFigures };
  const figures = await deps.db
    .selectFrom("reflection_prompt")
    .innerJoin("incident", "incident.id", "reflection_prompt.incident_id")
    .select([sql<number>`count(*) filter (where reflection_prompt.status in ('sent', 'answered', 'expired'))::int`.as("sent"), sql<number>`count(*) filter (where reflection_prompt.status = 'answered')::int`.as("answered")])
    .where("incident.team_id", "=", team.id)
    .where("reflection_prompt.due_at", ">", since)
    .executeTakeFirst();
  return { reports, team, figures: { sent: figures?.sent ?? 0, answered: figures?.answered ?? 0, days: FIGURES_DAYS }, members, mayAskFigures };
}
