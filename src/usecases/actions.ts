import type { Action } from "../domain/action.ts";
import { parseDue } from "../domain/due.ts";
import { authorize, RULES } from "../domain/authorization.ts";
import { DomainError } from "../domain/errors.ts";
import type { Incident } from "../domain/incident.ts";
import { recordDeliveries } from "../delivery/outbox.ts";
import type { Interaction } from "../interaction.ts";
import { findActionIncident, insertAction, listOpenActions } from "../store/actions.ts";
import { recordAudit } from "../store/audit.ts";
import { workspaceKey } from "../store/keys.ts";
import type { Person } from "../store/people.ts";
import { takeActionNumber } from "../store/workspaces.ts";
import { actionAssignedView, type SeenAction } from "../views/action-views.ts";
import type { PersonName } from "../views/view.ts";
import { ActionInputError, canSeeTitle, titleProblem, zoneOf } from "./action-access.ts";
import type { CoreDeps } from "./deps.ts";
import { incidentCircle, type IncidentCircle } from "./incident-access.ts";
import { knownPerson, mentionedRef, personName } from "./people.ts";
import { showIncident } from "./incident-record.ts";
import { scheduleQuietly } from "./schedule.ts";
import { reportsTo } from "./team-spaces.ts";
import { findTeam } from "../store/teams.ts";
import { startOfLadder } from "../features/escalation/ladder.ts";
import { ownerButtons } from "../features/escalation/views.ts";

/** The most a list shows: enough for anyone's week, and what fits in one chat message. */
const LIST_LIMIT = 50;

export interface NewAction {
  incidentNumber: number;
  ownerUserId: string;
  /** As typed ("by friday"), read in the actor's zone; or already read, by the form. */
  due: string | Date;
  title: string;
}

export interface AddedAction {
  action: Action;
  owner: Person;
  /** The actor's zone, for showing the due time back to them. */
  zone: string;
}

/** An incident the actor may add actions to: one whose details they can see. */
export async function incidentForActions(deps: CoreDeps, interaction: Interaction, number: number): Promise<{ incident: Incident; circle: IncidentCircle; actor: Person }> {
  const { incident, circle, viewer, visible } = await showIncident(deps, interaction, number);
  if (!visible) {
    throw new DomainError(
      "FORBIDDEN",
      `Only those who can see the details of ${incident.ref} — its reporter, the staff involved, their managers and the team lead — can add actions to it.`,
    );
  }
  if (incident.status === "closed") {
    throw new DomainError("INVALID", `${incident.ref} is closed, so it takes no new actions. Follow-up belongs on an open incident: log a new one if the work goes on.`);
  }
  return { incident, circle, actor: viewer };
}

/**
 * Adds an action: takes the next A-n, stores it and the owner's direct message in one transaction, so the owner is
 * told exactly when the action exists.
 */
export async function addAction(deps: CoreDeps, interaction: Interaction, draft: NewAction): Promise<AddedAction> {
  const { incident, actor } = await incidentForActions(deps, interaction, draft.incidentNumber);
  // Lists show an action per line, so a pasted line break becomes a space.
  const title = draft.title.replace(/\s+/g, " ").trim();
  const problem = titleProblem(title);
  if (problem) throw new ActionInputError("what", problem);
  const owner = await ownerFrom(deps, interaction, draft.ownerUserId);
  const zone = zoneOf(actor, deps);
  const dueAt = typeof draft.due === "string" ? readDue(draft.due, deps.now(), zone) : draft.due;
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);

  const { action, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const number = await takeActionNumber(tx, workspaceId);
    const next = await startOfLadder(tx, deps.config, incident, owner, dueAt, deps.now());
    const action = await insertAction(tx, { workspaceId, number, incident, title, ownerId: owner.id, dueAt, createdBy: actor.id, next });
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "action.added", subject: action.ref, after: action });
    const deliveryIds = await recordDeliveries(tx, [
      {
        dedupeKey: `action-${action.id}-assigned`,
        target: { kind: "person", person: owner.ref },
        // In the owner's own zone: it is their Friday that matters to them.
        view: { ...actionAssignedView(action, personName(actor), zoneOf(owner, deps), deps.now()), buttons: ownerButtons(action, `action-${action.id}-assigned`) },
      },
    ]);
    return { action, deliveryIds };
  });
  await scheduleQuietly(deps, deliveryIds);
  return { action, owner, zone };
}

/** Reads a typed due phrase, or says what was wrong with it. */
export function readDue(phrase: string, now: Date, zone: string): Date {
  const reading = parseDue(phrase, { now, zone });
  if (!reading.ok) throw new ActionInputError("due", reading.problem);
  return reading.dueAt;
}

/** The person a mention names; an unknown user is a problem with the owner the user gave. */
export async function ownerFrom(deps: CoreDeps, interaction: Interaction, userId: string): Promise<Person> {
  try {
    return await knownPerson(deps, mentionedRef(interaction.actor, userId));
  } catch (err) {
    if (err instanceof DomainError) throw new ActionInputError("owner", err.message, { cause: err });
    throw err;
  }
}

export interface ActionList {
  items: SeenAction[];
  total: number;
  /** The person whose list it is, or null for the reader's own. */
  whose: PersonName | null;
  zone: string;
}

/** Open actions owned by a person (the reader, unless they name someone), soonest due first. */
export async function listActions(deps: CoreDeps, interaction: Interaction, personUserId: string | null): Promise<ActionList> {
  const viewer = await knownPerson(deps, interaction.actor);
  const subject = personUserId && personUserId !== interaction.actor.userId ? await ownerFrom(deps, interaction, personUserId) : viewer;
  if (subject.id !== viewer.id) await mayListActionsOf(deps, viewer, subject);
  const { actions, total } = await listOpenActions(deps.db, subject.id, LIST_LIMIT);
  // Several actions often share an incident: read each incident and its circle once.
  const circles = new Map<number, Promise<{ incident: Incident; circle: IncidentCircle }>>();
  const contextOf = (action: Action) => {
    let found = circles.get(action.incidentId);
    if (!found) {
      found = findActionIncident(deps.db, action).then(async (incident) => ({ incident, circle: await incidentCircle(deps.db, incident) }));
      circles.set(action.incidentId, found);
    }
    return found;
  };
  const items: SeenAction[] = [];
  for (const action of actions) {
    const { incident, circle } = await contextOf(action);
    items.push({ action, visible: canSeeTitle(viewer.id, action, incident, circle) });
  }
  return { items, total, whose: subject.id === viewer.id ? null : personName(subject), zone: zoneOf(viewer, deps) };
}

/** Someone's open actions are theirs, their line managers' (all the way up) and their team lead's to read. */
async function mayListActionsOf(deps: CoreDeps, viewer: Person, subject: Person): Promise<void> {
  const team = subject.teamId === null ? undefined : await findTeam(deps.db, subject.teamId);
  authorize(
    RULES.listActions,
    { managesThem: await reportsTo(deps.db, subject.id, viewer.id), leadsTheirTeam: team?.leadId === viewer.id },
    "Your own are at /action list.",
  );
}
