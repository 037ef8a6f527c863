import { sql } from "kysely";
import { authorize, RULES } from "../domain/authorization.ts";
import { DomainError } from "../domain/errors.ts";
import { recordDeliveries, type DeliveryRequest } from "../delivery/outbox.ts";
import type { Interaction } from "../interaction.ts";
import { recordAudit } from "../store/audit.ts";
import { inOtherTeamsIncidents } from "../store/incidents.ts";
import type { DbOrTx } from "../store/database.ts";
import { workspaceKey } from "../store/keys.ts";
import type { Person } from "../store/people.ts";
import { findPerson, setHomeTeam, setManager } from "../store/people.ts";
import { createTeam, findTeam, findTeamByChannel, listTeams, setLead, teamsLedBy, type Team } from "../store/teams.ts";
import type { MessageView } from "../views/view.ts";
import { leadHandedOnView, leftYourTeamView, noLongerReportsView, reportsToYouView, yourManagerView, yourTeamView, youLeadView } from "../views/role-views.ts";
import { isAdmin } from "./admins.ts";
import type { CoreDeps } from "./deps.ts";
import { knownPerson, mentionedRef, personName } from "./people.ts";
import { scheduleQuietly } from "./schedule.ts";

/** Makes the channel the team's space: incidents are announced and escalations posted there. */
export async function setupTeam(deps: CoreDeps, interaction: Interaction): Promise<{ team: Team; created: boolean }> {
  const channel = interaction.channel;
  if (!channel) {
    throw new DomainError("INVALID", "Run /debrief setup in your team's channel, not in a direct message: that channel becomes the team space.");
  }
  const actor = await knownPerson(deps, interaction.actor);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const existing = await findTeamByChannel(deps.db, workspaceId, channel.channelId);
  // Saying it already is changes nothing, so anyone may hear it.
  if (existing) return { team: existing, created: false };
  const leadsATeam = (await teamsLedBy(deps.db, actor.id)).length > 0;
  authorize(RULES.setupTeam, { admin: await isAdmin(deps, interaction.actor), leadsATeam }, "Ask one of them to run /debrief setup here.");
  return deps.db.transaction().execute(async (tx) => {
    const result = await createTeam(tx, { workspaceId, channelId: channel.channelId, name: interaction.channelName ?? channel.channelId });
    if (result.created) {
      await recordAudit(tx, { workspaceId, actorId: actor.id, action: "team.created", subject: `team:${result.team.id}`, after: result.team });
    }
    return result;
  });
}

/**
 * The team an interaction belongs to: the team space it happened in, else the person's home team, else the
 * workspace's only team. Undefined when none can be told. Reading never changes anyone's team.
 */
export async function teamOf(db: DbOrTx, interaction: Interaction, person: Person): Promise<Team | undefined> {
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  if (interaction.channel) {
    const here = await findTeamByChannel(db, workspaceId, interaction.channel.channelId);
    if (here) return here;
  }
  if (person.teamId !== null) return findTeam(db, person.teamId);
  const teams = await listTeams(db, workspaceId);
  return teams.length === 1 ? teams[0] : undefined;
}

/** The team space the command was typed in: role changes are made in the team's own channel, where the team sees them. */
async function teamHere(deps: CoreDeps, interaction: Interaction, actor: Person): Promise<Team> {
  const team = await teamOf(deps.db, interaction, actor);
  if (!team) throw new DomainError("INVALID", "This isn't a team space yet. Run /debrief setup in your team's channel first.");
  return team;
}

export async function appointLead(deps: CoreDeps, interaction: Interaction, userId: string): Promise<{ team: Team; lead: Person }> {
  const actor = await knownPerson(deps, interaction.actor);
  const team = await teamHere(deps, interaction, actor);
  const admin = await isAdmin(deps, interaction.actor);
  if (team.leadId === null) authorize(RULES.appointFirstLead, { admin }, "Ask a workspace admin to run /debrief lead here.");
  else authorize(RULES.handOverLead, { admin, isLead: team.leadId === actor.id });
  const lead = await knownPerson(deps, mentionedRef(interaction.actor, userId));
  if (lead.id === team.leadId) return { team, lead };
  const deliveryIds = await deps.db.transaction().execute(async (tx) => {
    const before = await findTeam(tx, team.id);
    await setLead(tx, team.id, lead.id);
    const auditId = await recordAudit(tx, {
      workspaceId: team.workspaceId,
      actorId: actor.id,
      action: "team.lead_set",
      subject: `team:${team.id}`,
      before: { leadId: before?.leadId ?? null },
      after: { leadId: lead.id },
    });
    const told = [tell(auditId, lead, youLeadView(team.name, personName(actor)), actor)];
    const previous = before?.leadId ? await findPerson(tx, before.leadId) : undefined;
    if (previous) told.push(tell(auditId, previous, leadHandedOnView(team.name, personName(lead), personName(actor)), actor));
    // A lead with no home team belongs to the team they lead.
    if (lead.teamId === null) await joinTeam(tx, { person: lead, team, actor, told });
    return recordDeliveries(tx, told.flat());
  });
  await scheduleQuietly(deps, deliveryIds);
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
  const here = await teamHere(deps, interaction, actor);
  const person = await knownPerson(deps, mentionedRef(interaction.actor, personUserId));
  // Someone with no team yet joins the team whose channel this is; someone with one is their own lead's to place.
  const personsTeam = person.teamId === null ? here : ((await findTeam(deps.db, person.teamId)) ?? here);
  const aboutThemselves = actor.ref.userId === personUserId || actor.ref.userId === managerUserId;
  authorize(
    RULES.setManager,
    {
      admin: await isAdmin(deps, interaction.actor),
      leadsPersonsTeam: personsTeam.leadId === actor.id,
      aboutThemselves,
      inOtherTeamsIncidents: person.teamId === null && (await inOtherTeamsIncidents(deps.db, person.id, here.id)),
    },
    aboutThemselves ? "Nobody sets their own reporting line: ask your team's lead." : undefined,
  );
  const manager = await knownPerson(deps, mentionedRef(interaction.actor, managerUserId));
  const deliveryIds = await deps.db.transaction().execute(async (tx) => {
    // Reporting-line changes in a workspace take turns, so two made at once cannot close a loop between them.
    await sql`select pg_advisory_xact_lock(hashtext(${`reporting-lines:${personsTeam.workspaceId}`}))`.execute(tx);
    if (await reportsTo(tx, manager.id, person.id)) {
      throw new DomainError("INVALID", "That would make a loop: the manager already reports to this person.");
    }
    const current = (await findPerson(tx, person.id))?.managerId ?? null;
    if (current === manager.id) return [];
    await setManager(tx, person.id, manager.id);
    const auditId = await recordAudit(tx, {
      workspaceId: personsTeam.workspaceId,
      actorId: actor.id,
      action: "person.manager_set",
      subject: person.id,
      before: { managerId: current },
      after: { managerId: manager.id },
    });
    const previous = current ? await findPerson(tx, current) : undefined;
    const told = [
      tell(auditId, person, yourManagerView(personName(manager), previous ? personName(previous) : null, personName(actor)), actor),
      tell(auditId, manager, reportsToYouView(personName(person), personName(actor)), actor),
      previous ? tell(auditId, previous, noLongerReportsView(personName(person), personName(manager), personName(actor)), actor) : [],
    ];
    if (person.teamId === null) await joinTeam(tx, { person, team: here, actor, told });
    return recordDeliveries(tx, told.flat());
  });
  await scheduleQuietly(deps, deliveryIds);
  return { person: { ...person, managerId: manager.id }, manager };
}

/** Makes this channel's team someone's home team, on purpose: by an admin, or by the lead of the team they leave or join. */
export async function setMember(deps: CoreDeps, interaction: Interaction, userId: string): Promise<{ team: Team; person: Person; moved: boolean }> {
  const actor = await knownPerson(deps, interaction.actor);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const team = interaction.channel ? await findTeamByChannel(deps.db, workspaceId, interaction.channel.channelId) : undefined;
  if (!team) throw new DomainError("INVALID", "Run /debrief member in the channel of the team they join: that team becomes their home team.");
  const person = await knownPerson(deps, mentionedRef(interaction.actor, userId));
  if (person.teamId === team.id) return { team, person, moved: false };
  const oldTeam = person.teamId === null ? undefined : await findTeam(deps.db, person.teamId);
  authorize(RULES.setHomeTeam, {
    admin: await isAdmin(deps, interaction.actor),
    hasTeam: oldTeam !== undefined,
    leadsOldTeam: oldTeam !== undefined && oldTeam.leadId === actor.id,
    leadsNewTeam: team.leadId === actor.id,
    inOtherTeamsIncidents: oldTeam === undefined && (await inOtherTeamsIncidents(deps.db, person.id, team.id)),
  });
  const deliveryIds = await deps.db.transaction().execute(async (tx) => {
    const told: DeliveryRequest[][] = [];
    const auditId = await joinTeam(tx, { person, team, actor, told });
    // The lead they leave hears of it too: a move takes their restricted incidents out of that lead's sight.
    const oldLead = oldTeam?.leadId ? await findPerson(tx, oldTeam.leadId) : undefined;
    if (oldTeam && oldLead) told.push(tell(auditId, oldLead, leftYourTeamView(oldTeam.name, personName(person), team.name, personName(actor)), actor));
    return recordDeliveries(tx, told.flat());
  });
  await scheduleQuietly(deps, deliveryIds);
  return { team, person: { ...person, teamId: team.id }, moved: true };
}

/**
 * Sets a person's home team, audited, and tells them (unless they did it themselves). The home team decides which
 * lead hears of their restricted incidents, so it never changes unseen.
 */
export async function joinTeam(
  tx: DbOrTx,
  change: { person: Person; team: Team; actor: Person; told: DeliveryRequest[][] },
): Promise<string> {
  const { person, team, actor, told } = change;
  await setHomeTeam(tx, person.id, team.id);
  const auditId = await recordAudit(tx, {
    workspaceId: team.workspaceId,
    actorId: actor.id,
    action: "person.team_set",
    subject: person.id,
    before: { teamId: person.teamId },
    after: { teamId: team.id },
  });
  told.push(tell(auditId, person, yourTeamView(team.name, personName(actor)), actor));
  return auditId;
}

/** A direct message about a change, named by its audit entry so each change tells each person once; none to the actor. */
function tell(auditId: string, person: Person, view: MessageView, actor: Person): DeliveryRequest[] {
  if (person.id === actor.id) return [];
  return [{ dedupeKey: `audit-${auditId}-tell-${person.id}`, target: { kind: "person", person: person.ref }, view }];
}

/** Whether `fromId` reports to `toId`, directly or further up the line; escalations follow this line, so it must not loop. */
export async function reportsTo(db: DbOrTx, fromId: string, toId: string): Promise<boolean> {
  const seen = new Set<string>();
  for (let id: string | null = fromId; id !== null && !seen.has(id); id = (await findPerson(db, id))?.managerId ?? null) {
    if (id === toId) return true;
    seen.add(id);
  }
  return false;
}
