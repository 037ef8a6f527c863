import { canClose, canSeeDetails } from "../domain/access.ts";
import { authorize, RULES } from "../domain/authorization.ts";
import { DomainError } from "../domain/errors.ts";
import { isRestricted } from "../domain/harm.ts";
import { findIdentifier, identifierWarning } from "../domain/identifiers.ts";
import { LESSON_MAX, type Incident, type IncidentDraft } from "../domain/incident.ts";
import { formatIncidentRef } from "../domain/references.ts";
import { overLimit } from "../domain/text.ts";
import { recordDeliveries } from "../delivery/outbox.ts";
import { replanForInvolved } from "../features/reflections/plan.ts";
import { candourAction } from "../features/escalation/candour.ts";
import type { Interaction } from "../interaction.ts";
import { recordAudit } from "../store/audit.ts";
import { openActionsOf } from "../store/actions.ts";
import type { Action } from "../domain/action.ts";
import { closeIncident as storeClose, findIncident, listIncidents, updateIncidentDetails } from "../store/incidents.ts";
import { channelBeside, workspaceKey } from "../store/keys.ts";
import type { Person } from "../store/people.ts";
import { findTeam } from "../store/teams.ts";
import { restrictAnnouncement } from "./announcement.ts";
import { leadBriefing } from "./lead-briefing.ts";
import { zoneOf } from "./action-access.ts";
import { incidentClosedView, type IncidentPeople } from "../views/incident-views.ts";
import type { CoreDeps } from "./deps.ts";
import { incidentCircle, viewPeople, type IncidentCircle } from "./incident-access.ts";
import { knownPerson, mentionedRef, personName } from "./people.ts";
import { queuePromptsQuietly, scheduleQuietly } from "./schedule.ts";
import { teamOf } from "./team-spaces.ts";

const notFound = (number: number) =>
  new DomainError("NOT_FOUND", `I couldn't find ${formatIncidentRef(number)} in this workspace. /incident list shows the open ones.`);

export interface SeenIncident {
  incident: Incident;
  /** Who is looking. */
  viewer: Person;
  circle: IncidentCircle;
  /** Whether the viewer may see the full record. */
  visible: boolean;
  people: IncidentPeople;
  /** The viewer's own time zone, for the times shown to them. */
  zone: string;
}

export async function showIncident(deps: CoreDeps, interaction: Interaction, number: number): Promise<SeenIncident> {
  const viewer = await knownPerson(deps, interaction.actor);
  const incident = await findIncident(deps.db, workspaceKey(interaction.actor.platform, interaction.actor.workspaceId), number);
  if (!incident) throw notFound(number);
  const circle = await incidentCircle(deps.db, incident);
  return {
    incident,
    viewer,
    circle,
    visible: canSeeDetails(viewer.id, circle.audience),
    people: viewPeople(incident, circle),
    zone: zoneOf(viewer, deps),
  };
}

/**
 * Shows an incident to someone who asked to read it. Opening a restricted incident's details is written to the audit
 * log (who, when), as care records keep an access trail.
 */
export async function openIncident(deps: CoreDeps, interaction: Interaction, number: number): Promise<SeenIncident> {
  const seen = await showIncident(deps, interaction, number);
  if (seen.visible && seen.incident.restricted) {
    await recordAudit(deps.db, { workspaceId: seen.incident.workspaceId, actorId: seen.viewer.id, action: "incident.opened", subject: seen.incident.ref });
  }
  return seen;
}

/** Open incidents of the team the command was typed in (or the person's team), newest first. */
export async function listOpenIncidents(
  deps: CoreDeps,
  interaction: Interaction,
): Promise<{ scope: string; items: { incident: Incident; visible: boolean }[] }> {
  const viewer = await knownPerson(deps, interaction.actor);
  const team = await teamOf(deps.db, interaction, viewer);
  const incidents = await listIncidents(deps.db, workspaceKey(interaction.actor.platform, interaction.actor.workspaceId), {
    teamId: team?.id ?? null,
    statuses: ["open", "under_review"],
    limit: 25,
  });
  const items = await Promise.all(
    incidents.map(async (incident) => ({
      incident,
      visible: !incident.restricted || canSeeDetails(viewer.id, (await incidentCircle(deps.db, incident)).audience),
    })),
  );
  return { scope: team ? `#${team.name}` : "this workspace", items };
}

/** Open actions that closing would leave behind, for the person to confirm they mean it. */
export class OpenActionsOnClose extends Error {
  constructor(
    readonly incident: Incident,
    readonly actions: readonly Action[],
  ) {
    super(`${incident.ref} has open actions`);
    this.name = new.target.name;
  }
}

/**
 * Closes an incident with its lesson (kept for the team's digest), and tells the team channel. With open actions it
 * asks first (OpenActionsOnClose), unless `confirmed`: they stay open, and keep climbing, after it closes.
 */
export async function closeIncident(deps: CoreDeps, interaction: Interaction, number: number, lesson: string, confirmed = false): Promise<Incident> {
  // The lesson is posted to the team channel, so it gets the same check as any other free text.
  const tooLong = overLimit("the lesson", lesson, LESSON_MAX);
  if (tooLong) throw new DomainError("INVALID", `${formatIncidentRef(number)} is still open. ${tooLong} A few sentences on what the team will do differently are enough.`);
  const found = findIdentifier(lesson);
  if (found) throw new DomainError("INVALID", `${formatIncidentRef(number)} is still open. ${identifierWarning(found)}`);
  const actor = await knownPerson(deps, interaction.actor);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const { closed, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const incident = await findIncident(tx, workspaceId, number, { forUpdate: true });
    if (!incident) throw notFound(number);
    const circle = await incidentCircle(tx, incident);
    if (!canClose(actor.id, circle.audience)) {
      throw new DomainError("FORBIDDEN", `Only the reporter, the team lead or a line manager of those involved can close ${incident.ref}.`);
    }
    if (incident.status === "closed") throw new DomainError("INVALID", `${incident.ref} is already closed.`);
    const open = confirmed ? [] : await openActionsOf(tx, incident.id);
    if (open.length > 0) throw new OpenActionsOnClose(incident, open);
    const closedAt = deps.now();
    await storeClose(tx, incident.id, lesson, closedAt);
    const closed: Incident = { ...incident, status: "closed", lesson, closedAt };
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "incident.closed", subject: incident.ref, before: { status: incident.status }, after: { status: "closed", lesson } });
    const team = incident.teamId === null ? undefined : await findTeam(tx, incident.teamId);
    const deliveryIds = team
      ? await recordDeliveries(tx, [
          {
            dedupeKey: `incident-${incident.id}-closed`,
            target: { kind: "channel", channel: channelBeside(interaction.actor, team.channelId) },
            view: incidentClosedView(closed),
          },
        ])
      : [];
    return { closed, deliveryIds };
  });
  await scheduleQuietly(deps, deliveryIds);
  return closed;
}

/** Loads an incident for its details form; only those who may see the record may change it. */
export async function incidentForEditing(deps: CoreDeps, interaction: Interaction, number: number): Promise<SeenIncident> {
  const seen = await openIncident(deps, interaction, number);
  if (!seen.visible) throw new DomainError("FORBIDDEN", `Only those who need to know can see or change the details of ${seen.incident.ref}.`);
  if (seen.incident.status === "closed") throw new DomainError("INVALID", `${seen.incident.ref} is closed, so its record can no longer be changed.`);
  return seen;
}

/** Saves the details form over the record; the audit log keeps what it said before. */
export async function updateIncident(
  deps: CoreDeps,
  interaction: Interaction,
  number: number,
  draft: Omit<IncidentDraft, "involved">,
  involvedUserIds: readonly string[],
): Promise<Incident> {
  const actor = await knownPerson(deps, interaction.actor);
  const involved = await Promise.all(involvedUserIds.map((id) => knownPerson(deps, mentionedRef(interaction.actor, id))));
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const { after, deliveryIds, promptIds } = await deps.db.transaction().execute(async (tx) => {
    const before = await findIncident(tx, workspaceId, number, { forUpdate: true });
    if (!before) throw notFound(number);
    const circle = await incidentCircle(tx, before);
    if (!canSeeDetails(actor.id, circle.audience)) {
      throw new DomainError("FORBIDDEN", `Only those who need to know can change the details of ${before.ref}.`);
    }
    if (before.status === "closed") throw new DomainError("INVALID", `${before.ref} is closed, so its record can no longer be changed.`);
    const full = { ...draft, involved: involved.map((p) => p.id) };
    const involvedChanged = !sameMembers(before.involved, full.involved);
    if (involvedChanged) {
      // Whoever is involved joins the circle that reads the record, so widening it is for those who answer for it.
      authorize(RULES.changeInvolved, {
        isReporter: actor.id === before.reporterId,
        isCircleManager: circle.audience.managers.includes(actor.id),
        isLead: actor.id === circle.audience.leadId,
      }, "Everything else in the form can be saved with the staff involved as they were.");
    }
    // Once restricted, always restricted: details already shared only by reference must stay that way.
    const restricted = before.restricted || isRestricted(full);
    const occurredAt = draft.occurredAt ?? before.occurredAt;
    await updateIncidentDetails(tx, before.id, full, restricted, occurredAt);
    const after: Incident = { ...before, ...full, restricted, occurredAt };
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "incident.updated", subject: before.ref, before, after });
    let promptIds: string[] = [];
    if (involvedChanged) {
      await recordAudit(tx, { workspaceId, actorId: actor.id, action: "incident.involved_changed", subject: before.ref, before: { involved: before.involved }, after: { involved: full.involved } });
      const team = after.teamId === null ? undefined : await findTeam(tx, after.teamId);
      const change = { added: involved.filter((p) => !before.involved.includes(p.id)), removed: before.involved.filter((id) => !full.involved.includes(id)) };
      promptIds = await replanForInvolved(tx, deps.config, after, team, change, deps.now());
    }
    // Duty of candour ticked now, when it was not before: its action is added (once, whenever it is ticked).
    const reporterPerson = circle.people.get(after.reporterId);
    const candour = reporterPerson ? await recordDeliveries(tx, await candourAction(tx, deps.config, after, reporterPerson, deps.now())) : [];
    if (before.restricted || !restricted) return { after, deliveryIds: candour, promptIds };
    // It has just become restricted (say, the harm was raised): the channel must stop showing its details, and the
    // lead must hear now.
    const team = after.teamId === null ? undefined : await findTeam(tx, after.teamId);
    const reporter = circle.people.get(after.reporterId);
    const people = { reporter: reporter ? personName(reporter) : null, involved: involved.map(personName) };
    const hidden = await restrictAnnouncement(tx, after, people, deps.config.timeZone);
    const briefing = await leadBriefing(tx, after, team, people, deps);
    return { after, deliveryIds: [...candour, ...hidden, ...(briefing ? await recordDeliveries(tx, [briefing]) : [])], promptIds };
  });
  await scheduleQuietly(deps, deliveryIds);
  await queuePromptsQuietly(deps, promptIds);
  return after;
}

const sameMembers = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((id) => b.includes(id));
