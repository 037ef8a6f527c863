import type { Feature, Request } from "../../core/feature.ts";
import { DomainError } from "../../domain/errors.ts";
import { updatePressed, type Outcome, type Submission } from "../../interaction.ts";
import { actionInContext, ActionInputError, zoneOf } from "../../usecases/action-access.ts";
import { completeAction, extendAction, reassignAction } from "../../usecases/action-changes.ts";
import { knownPerson } from "../../usecases/people.ts";
import { workspaceKey } from "../../store/keys.ts";
import { actionExtendedView, actionReassignedView, dueLabel } from "../../views/action-views.ts";
import type { FormValues } from "../../views/view.ts";
import { noteOutcome, nudgeOwner, pressed } from "./acting.ts";
import { actedView, extendForm, IDS, reassignForm } from "./views.ts";

/**
 * Overdue actions climb the reporting line (issue 9): the buttons on the owner's direct messages and on the escalation
 * messages in the team's channel, and their forms. The sweep that sends the steps is ./sweep.ts.
 */

const byName = async ({ deps, interaction }: Request) => (await knownPerson(deps, interaction.actor)).displayName;

async function done(request: Request, value: string): Promise<Outcome> {
  const { number, messageKey } = pressed(value);
  const seen = await completeAction(request.deps, request.interaction, number, null);
  const outcome = `marked done by ${await byName(request)}`;
  return updatePressed((await noteOutcome(request.deps, seen.action, outcome, messageKey)) ?? actedView(seen.action, outcome));
}

async function nudge(request: Request, value: string): Promise<Outcome> {
  const { number, messageKey } = pressed(value);
  const nudged = await nudgeOwner(request.deps, request.interaction, number, messageKey);
  const outcome = `${nudged.ownerName} was nudged by ${await byName(request)}`;
  // Said on the channel's messages only: the owner's own are not the place to tell them they were nudged.
  const view = await noteOutcome(request.deps, nudged.action, outcome, messageKey, { channelOnly: true });
  return view ? updatePressed(view) : { kind: "reply", view: { text: outcome, sections: [{ text: `${outcome}.` }] } };
}

/** The forms open only for someone who may use them, so nobody fills one in to be refused at the end. */
async function openExtend({ deps, interaction }: Request, value: string): Promise<Outcome> {
  const { number, messageKey } = pressed(value);
  const actor = await knownPerson(deps, interaction.actor);
  const { action } = await actionInContext(deps.db, workspaceKey(interaction.actor.platform, interaction.actor.workspaceId), number, actor.id);
  if (action.status !== "open") throw new DomainError("INVALID", `${action.ref} is already ${action.status}.`);
  return { kind: "form", form: extendForm(action, messageKey, zoneOf(actor, deps), deps.now()) };
}

async function openReassign({ deps, interaction }: Request, value: string): Promise<Outcome> {
  const { number, messageKey } = pressed(value);
  const actor = await knownPerson(deps, interaction.actor);
  const { action } = await actionInContext(deps.db, workspaceKey(interaction.actor.platform, interaction.actor.workspaceId), number, actor.id);
  if (action.status !== "open") throw new DomainError("INVALID", `${action.ref} is already ${action.status}.`);
  return { kind: "form", form: reassignForm(action, messageKey) };
}

/** A refusal or a problem with what was typed goes beside the input, and what they typed stays in the form. */
async function beside(input: string, work: () => Promise<Submission>): Promise<Submission> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError) return { kind: "errors", errors: { [err instanceof ActionInputError && err.input === "owner" ? "owner" : input]: err.message } };
    throw err;
  }
}

async function submitExtend(request: Request, values: FormValues, state: string | undefined): Promise<Submission> {
  const { number, messageKey } = pressed(state);
  const phrase = typeof values.due === "string" ? values.due.trim() : "";
  if (!phrase) return { kind: "errors", errors: { due: 'When is it due now? e.g. "by friday", "in 3 days".' } };
  return beside("due", async () => {
    const extended = await extendAction(request.deps, request.interaction, number, phrase);
    await noteOutcome(request.deps, extended.action, `due moved to ${dueLabel(extended.action.dueAt, extended.zone, request.deps.now())} by ${await byName(request)}`, `${messageKey}#form`);
    return { kind: "done", view: actionExtendedView(extended, extended.zone, request.deps.now(), extended.ownerUsedTheirMove) };
  });
}

async function submitReassign(request: Request, values: FormValues, state: string | undefined): Promise<Submission> {
  const { number, messageKey } = pressed(state);
  const chosen = Array.isArray(values.owner) ? values.owner : typeof values.owner === "string" && values.owner ? [values.owner] : [];
  if (chosen.length !== 1) return { kind: "errors", errors: { owner: "Choose one person to own it now." } };
  return beside("owner", async () => {
    const moved = await reassignAction(request.deps, request.interaction, number, String(chosen[0]));
    await noteOutcome(request.deps, moved.action, `given to ${moved.newOwner.displayName} by ${await byName(request)}`, `${messageKey}#form`);
    return { kind: "done", view: actionReassignedView(moved, { userId: moved.newOwner.ref.userId, name: moved.newOwner.displayName }) };
  });
}

export const escalation: Feature = {
  buttons: {
    [IDS.done]: done,
    [IDS.nudge]: nudge,
    [IDS.extend]: openExtend,
    [IDS.reassign]: openReassign,
  },
  forms: {
    [IDS.extendForm]: submitExtend,
    [IDS.reassignForm]: submitReassign,
  },
};
