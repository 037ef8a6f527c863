import { canComplete, canReassign, DONE_NOTE_MAX, extendRight, latestOwnerMove, OWNER_MOVE_LIMIT, type Action } from "../domain/action.ts";
import { dayLabel } from "../domain/due.ts";
import { authorize, RULES } from "../domain/authorization.ts";
import { DomainError } from "../domain/errors.ts";
import { findIdentifier, identifierWarning } from "../domain/identifiers.ts";
import { overLimit } from "../domain/text.ts";
import { recordDeliveries, type DeliveryRequest } from "../delivery/outbox.ts";
import type { Interaction } from "../interaction.ts";
import { markActionCancelled, markActionDone, setActionDue, setActionOwner } from "../store/actions.ts";
import { recordAudit } from "../store/audit.ts";
import { workspaceKey } from "../store/keys.ts";
import type { Person } from "../store/people.ts";
import {
  actionAssignedView,
  actionCancelledForYouView,
  actionCompletedForYouView,
  actionDueMovedView,
  actionTakenView,
  dueLabel,
  type SeenAction,
} from "../views/action-views.ts";
import { actionInContext, timesAudited, usedOwnerMove, zoneOf } from "./action-access.ts";
import { ownerFrom, readDue } from "./actions.ts";
import type { CoreDeps } from "./deps.ts";
import { knownPerson, personName } from "./people.ts";
import { scheduleQuietly } from "./schedule.ts";
import { startOfLadder } from "../features/escalation/ladder.ts";
import { ownerButtons } from "../features/escalation/views.ts";

// Who the owner turns to when their own move is used up or not enough.
const askOverseer = (action: Action) =>
  `ask your manager or the team lead: they can extend it with /action extend ${action.ref} <when>.`;

const alreadyDone = (action: Action, what: string) => new DomainError("INVALID", `${action.ref} is already ${action.status}, so it can't be ${what}.`);

/** A note or reason shown to others: within its length, and with nothing that looks like a person's identifier. */
function checkNote(label: string, text: string | null, unchanged: string): void {
  const tooLong = text ? overLimit(label, text, DONE_NOTE_MAX) : undefined;
  if (tooLong) throw new DomainError("INVALID", `${unchanged} ${tooLong}`);
  const found = findIdentifier(text);
  if (found) throw new DomainError("INVALID", `${unchanged} ${identifierWarning(found)}`);
}

/** Marks an action done, with an optional note; the owner is told if someone else did it. */
export async function completeAction(deps: CoreDeps, interaction: Interaction, number: number, note: string | null): Promise<SeenAction> {
  const actor = await knownPerson(deps, interaction.actor);
  const text = note?.trim() || null;
  checkNote("the note", text, "Nothing was saved.");
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);

  const { seen, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const { action, audience, owner, visible, incident } = await actionInContext(tx, workspaceId, number, actor.id, { forUpdate: true });
    if (!canComplete(actor.id, audience)) {
      throw new DomainError(
        "FORBIDDEN",
        // Someone who cannot read the incident is not told which one the action belongs to.
        `Only the owner of ${action.ref}, their manager, the person who reported ${visible ? incident.ref : "its incident"} or the team lead can mark it done.`,
      );
    }
    if (action.status !== "open") throw new DomainError("INVALID", `${action.ref} is already ${action.status}.`);
    const doneAt = deps.now();
    await markActionDone(tx, action.id, text, doneAt);
    const after: Action = { ...action, status: "done", doneNote: text, doneAt };
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "action.done", subject: action.ref, before: action, after });
    const requests: DeliveryRequest[] =
      owner.id === actor.id
        ? []
        : [{ dedupeKey: `action-${action.id}-done`, target: { kind: "person", person: owner.ref }, view: actionCompletedForYouView(after, personName(actor)) }];
    return { seen: { action: after, visible }, deliveryIds: await recordDeliveries(tx, requests) };
  });
  await scheduleQuietly(deps, deliveryIds);
  return seen;
}

/** Gives an action to someone else; the new owner is told, and the old one too if someone else moved it. */
export async function reassignAction(
  deps: CoreDeps,
  interaction: Interaction,
  number: number,
  toUserId: string,
): Promise<SeenAction & { newOwner: Person }> {
  const actor = await knownPerson(deps, interaction.actor);
  const newOwner = await ownerFrom(deps, interaction, toUserId);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);

  const { result, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const { action, audience, owner, visible } = await actionInContext(tx, workspaceId, number, actor.id, { forUpdate: true });
    if (!canReassign(actor.id, audience)) {
      throw new DomainError("FORBIDDEN", `Only the owner of ${action.ref}, their manager or the team lead can give it to someone else.`);
    }
    if (action.status !== "open") throw alreadyDone(action, "reassigned");
    if (newOwner.id === owner.id) throw new DomainError("INVALID", `${newOwner.displayName} already owns ${action.ref}.`);
    const times = await timesAudited(tx, action, "action.reassigned");
    await setActionOwner(tx, action.id, newOwner.id);
    // The new owner has their own one move of the due date (see extendRight).
    const after: Action = { ...action, ownerId: newOwner.id, ownerExtendedAt: null };
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "action.reassigned", subject: action.ref, before: action, after });
    // Numbered by how often it has been reassigned, so each handover is told once, and only once.
    const requests: DeliveryRequest[] = [
      {
        dedupeKey: `action-${action.id}-reassigned-${times + 1}`,
        target: { kind: "person", person: newOwner.ref },
        view: {
          ...actionAssignedView(after, personName(actor), zoneOf(newOwner, deps), deps.now(), true),
          buttons: ownerButtons(after, `action-${action.id}-reassigned-${times + 1}`),
        },
      },
    ];
    if (owner.id !== actor.id) {
      requests.push({
        dedupeKey: `action-${action.id}-taken-${times + 1}`,
        target: { kind: "person", person: owner.ref },
        view: actionTakenView(after, personName(newOwner), personName(actor)),
      });
    }
    // The new owner may read what they now own, whoever else may not.
    const seenByActor = visible || actor.id === newOwner.id;
    return { result: { action: after, visible: seenByActor, newOwner }, deliveryIds: await recordDeliveries(tx, requests) };
  });
  await scheduleQuietly(deps, deliveryIds);
  return result;
}

export interface ExtendedAction extends SeenAction {
  zone: string;
  /** The owner moved it themselves, using their one move. */
  ownerUsedTheirMove: boolean;
}

/** Moves an action's due time later (see extendRight for who may); the owner is told if someone else moved it. */
export async function extendAction(deps: CoreDeps, interaction: Interaction, number: number, duePhrase: string): Promise<ExtendedAction> {
  const actor = await knownPerson(deps, interaction.actor);
  const zone = zoneOf(actor, deps);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);

  const { result, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const { action, audience, owner, visible, incident } = await actionInContext(tx, workspaceId, number, actor.id, { forUpdate: true });
    const granted = extendRight(actor.id, action, audience);
    const right = granted === "owner" && (await usedOwnerMove(tx, action, actor.id)) ? "owner-used" : granted;
    if (right === "none") {
      throw new DomainError("FORBIDDEN", `Only the owner of ${action.ref}, their manager or the team lead can move its due date.`);
    }
    if (right === "owner-used") {
      throw new DomainError(
        "FORBIDDEN",
        `You have already moved the due date of ${action.ref} once. To move it again, ${askOverseer(action)}`,
      );
    }
    if (action.status !== "open") throw alreadyDone(action, "extended");
    const now = deps.now();
    const dueAt = readDue(duePhrase, now, zone);
    if (dueAt.getTime() <= action.dueAt.getTime()) {
      throw new DomainError(
        "INVALID",
        `${action.ref} is already due ${dueLabel(action.dueAt, zone, now)}. To extend it, give a later time.`,
      );
    }
    const ownerUsedTheirMove = right === "owner";
    const latest = latestOwnerMove(action, zone);
    if (ownerUsedTheirMove && dueAt.getTime() > latest.getTime()) {
      throw new DomainError(
        "INVALID",
        `You can move ${action.ref} yourself by up to ${OWNER_MOVE_LIMIT.weeks} weeks from when it is due, ${
          latest.getTime() > now.getTime() ? `so to ${dayLabel(latest, zone, now)} at the latest` : "and that time has passed"
        }. For more, ${askOverseer(action)}`,
      );
    }
    const times = await timesAudited(tx, action, "action.extended");
    const next = await startOfLadder(tx, deps.config, incident, owner, dueAt, now);
    await setActionDue(tx, action.id, dueAt, ownerUsedTheirMove ? now : null, next);
    const after: Action = { ...action, dueAt, ownerExtendedAt: ownerUsedTheirMove ? now : action.ownerExtendedAt };
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "action.extended", subject: action.ref, before: action, after });
    const requests: DeliveryRequest[] =
      owner.id === actor.id
        ? []
        : [
            {
              dedupeKey: `action-${action.id}-extended-${times + 1}`,
              target: { kind: "person", person: owner.ref },
              view: actionDueMovedView(after, personName(actor), zoneOf(owner, deps), now),
            },
          ];
    return { result: { action: after, visible, zone, ownerUsedTheirMove }, deliveryIds: await recordDeliveries(tx, requests) };
  });
  await scheduleQuietly(deps, deliveryIds);
  return result;
}

/** Cancels an action, with why: for the owner's manager or the team lead. The owner is told; it stops climbing. */
export async function cancelAction(deps: CoreDeps, interaction: Interaction, number: number, reason: string): Promise<SeenAction> {
  const actor = await knownPerson(deps, interaction.actor);
  const why = reason.trim();
  checkNote("the reason", why, "Nothing was changed.");
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);

  const { seen, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const { action, audience, owner, visible } = await actionInContext(tx, workspaceId, number, actor.id, { forUpdate: true });
    authorize(RULES.cancelOrNudge, { managesOwner: actor.id === audience.ownerManagerId, isLead: actor.id === audience.leadId }, "Its owner can ask them, or extend it.");
    if (action.status !== "open") throw new DomainError("INVALID", `${action.ref} is already ${action.status}.`);
    const at = deps.now();
    await markActionCancelled(tx, action.id, why, at);
    const after: Action = { ...action, status: "cancelled", cancelReason: why, doneAt: at };
    await recordAudit(tx, { workspaceId, actorId: actor.id, action: "action.cancelled", subject: action.ref, before: action, after });
    const requests: DeliveryRequest[] =
      owner.id === actor.id
        ? []
        : [{ dedupeKey: `action-${action.id}-cancelled`, target: { kind: "person", person: owner.ref }, view: actionCancelledForYouView(after, personName(actor)) }];
    return { seen: { action: after, visible }, deliveryIds: await recordDeliveries(tx, requests) };
  });
  await scheduleQuietly(deps, deliveryIds);
  return seen;
}
