import { sql } from "kysely";
import { DomainError } from "../domain/errors.ts";
import type { Interaction } from "../interaction.ts";
import type { DbOrTx } from "../store/database.ts";
import { workspaceKey } from "../store/keys.ts";
import type { Person } from "../store/people.ts";
import { findPerson, setHomeTeam, setManager } from "../store/people.ts";
import { recordAudit } from "../store/audit.ts";
import { createTeam, findTeam, findTeamByChannel, listTeams, setLead, type Team } from "../store/teams.ts";
import type { CoreDeps } from "./deps.ts";
import { knownPerson, mentionedRef } from "./people.ts";

/** Makes the channel the team's space: incidents are announced and escalations posted there. */
export async function setupTeam(deps: CoreDeps, interaction: Interaction): Promise<{ team: Team; created: boolean }> {
  if (!interaction.channel) {
    throw new DomainError("INVALID", "Run /debrief setup in your team's channel, not in a direct message: that channel becomes the team space.");
  }
  const actor = await knownPerson(deps, interaction.actor);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  return deps.db.transaction().execute(async (tx) => {
    const result = await createTeam(tx, {
      workspaceId,
      channelId: interaction.channel!.channelId,
      name: interaction.channelName ?? interaction.channel!.channelId,
    });
    if (actor.teamId === null) await setHomeTeam(tx, actor.id, result.team.id);
    if (result.created) {
      await recordAudit(tx, { workspaceId, actorId: actor.id, action: "team.created", subject: `team:${result.team.id}`, after: result.team });
    }
    return result;
  });
}

/**
 * The team an interaction belongs to: the team space it happened in, else the person's home team,
 * else the workspace's only team. Undefined when none can be told.
 */
export async function teamOf(db: DbOrTx, interaction: Interaction, person: Person): Promise<Team | undefined> {
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  if (interaction.channel) {
    const here = await findTeamByChannel(db, workspaceId, interaction.channel.channelId);
    if (here) {
      if (person.teamId === null) await setHomeTeam(db, person.id, here.id);
      return here;
    }
  }
  if (person.teamId !== null) return findTeam(db, person.teamId);
  const teams = await listTeams(db, workspaceId);
  return teams.length === 1 ? teams[0] : undefined;
}

async function requireTeam(deps: CoreDeps, interaction: Interaction, actor: Person): Promise<Team> {
  const team = await teamOf(deps.db, interaction, actor);
  if (!team) throw new DomainError("INVALID", "This isn't a team space yet. Run /debrief setup in your team's channel first.");
  return team;
}

/** While a team has no lead anyone may set one up; after that, only the lead changes who leads or reports to whom. */
function mayChangeRoles(team: Team, actor: Person): boolean {
  return team.leadId === null || team.leadId === actor.id;
}

export async function appointLead(deps: CoreDeps, interaction: Interaction, userId: string): Promise<{ team: Team; lead: Person }> {
  const actor = await knownPerson(deps, interaction.actor);
  const team = await requireTeam(deps, interaction, actor);
  if (!mayChangeRoles(team, actor)) {
    throw new DomainError("FORBIDDEN", "Only the team's current lead can hand the lead role to someone else.");
  }
  const lead = await knownPerson(deps, mentionedRef(interaction.actor, userId));
  await deps.db.transaction().execute(async (tx) => {
    await setLead(tx, team.id, lead.id);
    if (lead.teamId === null) await setHomeTeam(tx, lead.id, team.id);
    await recordAudit(tx, {
      workspaceId: team.workspaceId,
      actorId: actor.id,
      action: "team.lead_set",
      subject: `team:${team.id}`,
      before: { leadId: team.leadId },
      after: { leadId: lead.id },
    });
  });
  return { team: { ...team, leadId: lead.id }, lead };
}

export async function setReportingLine(
  deps: CoreDeps,
  interaction: Interaction,
  personUserId: string,
  managerUserId: string,
): Promise<{ person: Person; manager: Person }> {
  if (personUserId === managerUserId) throw new DomainError("INVALID", "Someone can't be their own manager. Mention the person first, then their manager.");
  const actor = await knownPerson(deps, interaction.actor);
  const team = await requireTeam(deps, interaction, actor);
  const person = await knownPerson(deps, mentionedRef(interaction.actor, personUserId));
  if (!mayChangeRoles(team, actor) && person.managerId !== actor.id) {
    throw new DomainError("FORBIDDEN", "Only the team's lead, or the person's current manager, can change who they report to.");
  }
  const manager = await knownPerson(deps, mentionedRef(interaction.actor, managerUserId));
  await deps.db.transaction().execute(async (tx) => {
    // Reporting-line changes in a workspace take turns, so two made at once cannot close a loop between them.
    await sql`select pg_advisory_xact_lock(hashtext(${`reporting-lines:${team.workspaceId}`}))`.execute(tx);
    if (await reportsTo(tx, manager.id, person.id)) {
      throw new DomainError("INVALID", "That would make a loop: the manager already reports to this person.");
    }
    await setManager(tx, person.id, manager.id);
    for (const p of [person, manager]) if (p.teamId === null) await setHomeTeam(tx, p.id, team.id);
    await recordAudit(tx, {
      workspaceId: team.workspaceId,
      actorId: actor.id,
      action: "person.manager_set",
      subject: person.id,
      before: { managerId: person.managerId },
      after: { managerId: manager.id },
    });
  });
  return { person: { ...person, managerId: manager.id }, manager };
}

/** Whether `fromId` reports to `toId`, directly or further up the line; escalations follow this line, so it must not loop. */
async function reportsTo(db: DbOrTx, fromId: string, toId: string): Promise<boolean> {
  const seen = new Set<string>();
  for (let id: string | null = fromId; id !== null && !seen.has(id); id = (await findPerson(db, id))?.managerId ?? null) {
    if (id === toId) return true;
    seen.add(id);
  }
  return false;
}
