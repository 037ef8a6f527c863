import { authorize, RULES } from "../../domain/authorization.ts";
import { DomainError } from "../../domain/errors.ts";
import { zoneFor } from "../../domain/prompt-time.ts";
import { parseActionRef } from "../../domain/references.ts";
import { recordDeliveries, reviseDelivery } from "../../delivery/outbox.ts";
import type { Interaction } from "../../interaction.ts";
import { findActionIncident, findActionsByIds } from "../../store/actions.ts";
import type { DbOrTx } from "../../store/database.ts";
import { workspaceKey } from "../../store/keys.ts";
import { findPeople } from "../../store/people.ts";
import { actionInContext, zoneOf } from "../../usecases/action-access.ts";
import type { CoreDeps } from "../../usecases/deps.ts";
import { knownPerson, personName } from "../../usecases/people.ts";
import { scheduleQuietly } from "../../usecases/schedule.ts";
import type { MessageView } from "../../views/view.ts";
import { ladderContext } from "./ladder.ts";
import { recordStepOutcome, stepsCarriedBy } from "./store.ts";
import { channelStepView, nudgeView, ownerStepView, readButtonValue, type EscalatedLine } from "./views.ts";

/** What a button or form carried: the action's number and the message it was pressed in. */
export function pressed(value: string | undefined): { number: number; messageKey: string } {
  const read = value ? readButtonValue(value) : undefined;
  const number = read ? parseActionRef(read.ref) : undefined;
  if (!read || number === undefined) throw new DomainError("INVALID", "That button has lost track of its action. /action list shows your open ones.");
  return { number, messageKey: read.messageKey };
}

/**
 * An escalation message said again as its actions now stand, with what was done from it. Undefined for a message that
 * carried no steps (an owner's first direct message): the caller shows just what happened.
 */
export async function sayAgain(db: DbOrTx, deps: Pick<CoreDeps, "config" | "now">, messageKey: string): Promise<MessageView | undefined> {
  const steps = await stepsCarriedBy(db, messageKey);
  const first = steps[0];
  if (!first) return undefined;
  const actions = new Map((await findActionsByIds(db, steps.map((s) => s.actionId))).map((a) => [a.id, a]));
  const owners = new Map((await findPeople(db, [...actions.values()].map((a) => a.ownerId))).map((p) => [p.id, p]));
  const lines: EscalatedLine[] = [];
  let zone = deps.config.timeZone;
  for (const step of steps) {
    const action = actions.get(step.actionId);
    const owner = action && owners.get(action.ownerId);
    if (!action || !owner) continue;
    const incident = await findActionIncident(db, action);
    const context = await ladderContext(db, deps.config, incident, owner);
    zone = step.place === "channel" ? context.clocks.team.zone : zoneFor(owner.timeZone, context.clocks.owner.zone);
    lines.push({ action, owner: personName(owner), restricted: incident.restricted, outcome: step.outcome, noManager: step.noManager });
  }
  const now = deps.now();
  if (first.target === "reminder" || first.target === "owner") return ownerStepView(lines, first.target === "reminder", messageKey, zone, now);
  const [recipient] = first.recipientId ? await findPeople(db, [first.recipientId]) : [];
  const target = first.target === "lead" ? "lead" : "manager";
  return channelStepView(recipient ? personName(recipient) : null, target, first.place === "channel" ? lines : lines.map((l) => ({ ...l, restricted: false })), messageKey, zone, now);
}

/**
 * Records what was done about an action and says again every escalation message that carried it, so the channel sees
 * it dealt with wherever it was done. The message whose button was pressed is returned to replace it there; the others
 * are changed by edits.
 */
export async function noteOutcome(
  deps: CoreDeps,
  action: { id: number; dueAt: Date },
  outcome: string,
  pressedKey?: string,
  options: { channelOnly?: boolean } = {},
): Promise<MessageView | undefined> {
  const actionId = action.id;
  const { view, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const keys = await recordStepOutcome(tx, action, outcome, options);
    let view: MessageView | undefined;
    const ids: string[] = [];
    for (const key of keys) {
      const again = await sayAgain(tx, deps, key);
      if (!again) continue;
      if (key === pressedKey) view = again;
      else ids.push(...(await reviseDelivery(tx, key, again, `${key}-acted-${actionId}-${deps.now().getTime()}`)));
    }
    return { view, deliveryIds: ids };
  });
  await scheduleQuietly(deps, deliveryIds);
  return view;
}

/**
 * "Nudge owner": a direct message to the owner from their manager or the lead, once per person per message, so a
 * second press does not pester them.
 */
export async function nudgeOwner(deps: CoreDeps, interaction: Interaction, number: number, messageKey: string): Promise<{ action: { id: number; dueAt: Date }; ownerName: string }> {
  const actor = await knownPerson(deps, interaction.actor);
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const { result, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const { action, audience, owner } = await actionInContext(tx, workspaceId, number, actor.id);
    authorize(RULES.cancelOrNudge, { managesOwner: actor.id === audience.ownerManagerId, isLead: actor.id === audience.leadId });
    if (action.status !== "open") throw new DomainError("INVALID", `${action.ref} is already ${action.status}.`);
    const ids = await recordDeliveries(tx, [
      {
        dedupeKey: `${messageKey}-nudge-${action.id}-${actor.id}`,
        target: { kind: "person", person: owner.ref },
        // Its buttons name the nudge itself, so pressing one changes this message, and noteOutcome the channel's.
        view: nudgeView(action, personName(actor), `${messageKey}-nudge-${action.id}-${actor.id}`, zoneOf(owner, deps), deps.now()),
      },
    ]);
    return { result: { action, ownerName: owner.displayName }, deliveryIds: ids };
  });
  await scheduleQuietly(deps, deliveryIds);
  return result;
}
