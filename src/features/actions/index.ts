import type { Command } from "../../commands/command.ts";
import { USAGE } from "../../commands/parse.ts";
import { grammarRoute } from "../../commands/route.ts";
import type { Feature, Request } from "../../core/feature.ts";
import { noteOutcome } from "../escalation/acting.ts";
import { DomainError } from "../../domain/errors.ts";
import { parseIncidentRef } from "../../domain/references.ts";
import type { Outcome, Submission } from "../../interaction.ts";
import { ActionInputError, zoneOf } from "../../usecases/action-access.ts";
import { cancelAction, completeAction, extendAction, reassignAction } from "../../usecases/action-changes.ts";
import { addAction, incidentForActions, listActions } from "../../usecases/actions.ts";
import { knownPerson, personName } from "../../usecases/people.ts";
import { readActionForm } from "../../usecases/read-action-form.ts";
import { ACTION_FORM_ID, actionForm } from "../../views/action-form.ts";
import { actionAddedView, actionCancelledView, actionDoneView, dueLabel, actionExtendedView, actionListView, actionReassignedView } from "../../views/action-views.ts";
import { problemView, replyView } from "../../views/reply-views.ts";
import type { FormValues, MessageView } from "../../views/view.ts";

/** Follow-up actions: /action, and the incident's Add an action button and form. */

type ActionCommand = Extract<Command, { kind: `action.${string}` }>;

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

const nameOf = async ({ deps, interaction }: Request) => (await knownPerson(deps, interaction.actor)).displayName;

async function runAction(request: Request, command: ActionCommand, typed: string): Promise<Outcome> {
  const { deps, interaction } = request;
  const now = deps.now();
  return withUsage(typed, async () => {
    switch (command.kind) {
      case "action.add": {
        const { incidentRef, owner, due, text } = command;
        const added = await addAction(deps, interaction, { incidentNumber: incidentRef, ownerUserId: owner.userId, due, title: text });
        return reply(actionAddedView({ action: added.action, visible: true }, personName(added.owner), interaction.actor.userId, added.zone, now));
      }
      case "action.list": {
        const list = await listActions(deps, interaction, command.person?.userId ?? null);
        return reply(actionListView(list.items, list.total, list.whose, list.zone, now));
      }
      case "action.done": {
        const done = await completeAction(deps, interaction, command.ref, command.note);
        await noteOutcome(deps, done.action, `marked done by ${await nameOf(request)}`);
        return reply(actionDoneView(done));
      }
      case "action.reassign": {
        const reassigned = await reassignAction(deps, interaction, command.ref, command.person.userId);
        await noteOutcome(deps, reassigned.action, `given to ${reassigned.newOwner.displayName} by ${await nameOf(request)}`);
        return reply(actionReassignedView(reassigned, personName(reassigned.newOwner)));
      }
      case "action.cancel": {
        const cancelled = await cancelAction(deps, interaction, command.ref, command.reason);
        await noteOutcome(deps, cancelled.action, `cancelled by ${await nameOf(request)}`);
        return reply(actionCancelledView(cancelled));
      }
      case "action.extend": {
        const extended = await extendAction(deps, interaction, command.ref, command.due);
        await noteOutcome(deps, extended.action, `due moved to ${dueLabel(extended.action.dueAt, extended.zone, now)} by ${await nameOf(request)}`);
        return reply(actionExtendedView(extended, extended.zone, now, extended.ownerUsedTheirMove));
      }
    }
  });
}

/**
 * Bad input to /action (an unreadable date, an unknown incident or person) is answered with the right forms of the
 * command and what was typed, as parse problems are. Refusals on permission are answered plainly: the usage would
 * not help.
 */
async function withUsage(typed: string, work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && err.code !== "FORBIDDEN") return reply(problemView(err.message, USAGE.action, typed));
    throw err;
  }
}

/** The incident's Add an action button: refused now rather than after the form is filled in. */
async function openActionForm({ deps, interaction }: Request, value: string): Promise<Outcome> {
  const number = parseIncidentRef(value);
  if (number === undefined) return reply(replyView("That button has lost track of its incident. Try /incident list."));
  const { incident } = await incidentForActions(deps, interaction, number);
  return { kind: "form", form: actionForm(incident.ref) };
}

/** The "Add an action" form: problems go beside the input they are about, and everything typed stays in the form. */
async function addFromForm({ deps, interaction }: Request, values: FormValues, state: string | undefined): Promise<Submission> {
  const number = state ? parseIncidentRef(state) : undefined;
  if (number === undefined) throw new DomainError("INVALID", "This form has lost track of its incident. Open it again from the incident's Add an action button.");
  const actor = await knownPerson(deps, interaction.actor);
  const now = deps.now();
  const zone = zoneOf(actor, deps);
  const read = readActionForm(values, { now, zone });
  if (!read.ok) return { kind: "errors", errors: read.errors };
  try {
    const added = await addAction(deps, interaction, { incidentNumber: number, ownerUserId: read.ownerUserId, due: read.dueAt, title: read.title });
    return { kind: "done", view: actionAddedView({ action: added.action, visible: true }, personName(added.owner), interaction.actor.userId, zone, now) };
  } catch (err) {
    if (err instanceof ActionInputError) return { kind: "errors", errors: { [err.input]: err.message } };
    throw err;
  }
}

export const actions: Feature = {
  commands: {
    action: grammarRoute<ActionCommand>("action", runAction),
  },
  buttons: { "incident.action": openActionForm },
  forms: { [ACTION_FORM_ID]: addFromForm },
};
