import { COMMAND_NAMES, type Command } from "./commands/command.ts";
import { parseCommand, USAGE } from "./commands/parse.ts";
import { DomainError } from "./domain/errors.ts";
import { emptyDraft, SUMMARY_MAX, WHAT_HAPPENED_MAX } from "./domain/incident.ts";
import { findIdentifier, identifierWarning } from "./domain/identifiers.ts";
import { parseIncidentRef } from "./domain/references.ts";
import { once } from "./requests/once.ts";
import { cleanText, cleanValues, overLimit } from "./domain/text.ts";
import { canDefer, type Debrief, type Interaction, type Outcome, type Submission } from "./interaction.ts";
import { channelBeside } from "./store/keys.ts";
import { isStoreUnavailable } from "./store/unavailable.ts";
import type { Config } from "./config.ts";
import type { CoreDeps } from "./usecases/deps.ts";
import { closeIncident, incidentForEditing, listOpenIncidents, openIncident, updateIncident } from "./usecases/incident-record.ts";
import { logIncident } from "./usecases/log-incident.ts";
import { knownPerson, personName } from "./usecases/people.ts";
import { readIncidentForm } from "./usecases/read-incident-form.ts";
import { appointLead, setMember, setReportingLine, setupTeam, teamOf } from "./usecases/team-spaces.ts";
import { ActionInputError, zoneOf as personZone } from "./usecases/action-access.ts";
import { completeAction, extendAction, reassignAction } from "./usecases/action-changes.ts";
import { addAction, incidentForActions, listActions } from "./usecases/actions.ts";
import { readActionForm } from "./usecases/read-action-form.ts";
import { ACTION_FORM_ID, actionForm } from "./views/action-form.ts";
import {
  actionAddedView,
  actionDoneView,
  actionExtendedView,
  actionListView,
  actionReassignedView,
} from "./views/action-views.ts";
import { helpView } from "./views/help-view.ts";
import { INCIDENT_DETAILS_FORM_ID, INCIDENT_FORM_ID, incidentForm } from "./views/incident-form.ts";
import {
  incidentDetailView,
  incidentListView,
  incidentLoggedView,
  incidentOutlineView,
} from "./views/incident-views.ts";
import { problemView, replyView, unavailableView } from "./views/reply-views.ts";
import { leadSetView, managerSetView, memberSetView, settingsView, teamSetupView } from "./views/team-views.ts";
import type { FormValues, MessageView } from "./views/view.ts";

/** The core needs the whole configuration: settings are shown to users as well as used. */
export type DebriefDeps = CoreDeps & { config: Config };

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

/** The core behind every adapter: parses, calls one use case, and turns what happened into a view. */
export function createDebrief(deps: DebriefDeps): Debrief {
  return {
    async command(interaction, name, text) {
      text = cleanText(text); // each door cleans what comes in, once for every use case (src/domain/text.ts)
      interaction = withCleanChannelName(interaction);
      const command = parseCommand(name, text);
      // What they typed comes back as they typed it (the adapter has undone any platform escaping).
      const typed = text;
      return guarded(deps, interaction, typed, () => once(deps, interaction, (inRequest) => runCommand(inRequest, interaction, command, typed)));
    },

    async submitForm(interaction, formId, values, state) {
      values = cleanValues(values);
      // The state comes back with the answers, from outside like them: a NUL in a channel id would fail its query.
      if (state !== undefined) state = cleanText(state);
      try {
        return await once(deps, interaction, (inRequest) => submit(inRequest, interaction, formId, values, state));
      } catch (err) {
        const message = failureMessage(deps, interaction, err);
        // Keep the form open with everything typed, and say why on its first input.
        return { kind: "errors", errors: { summary: message } };
      }
    },

    commandNames: COMMAND_NAMES,

    opensForm(name, text) {
      return !canDefer(parseCommand(name, cleanText(text)));
    },

    async press(interaction, buttonId, value) {
      value = cleanText(value);
      return guarded(deps, interaction, "", () => once(deps, interaction, (inRequest) => pressButton(inRequest, interaction, buttonId, value)));
    },
  };
}

/** The platform's name for a channel becomes a team's name at setup, so it is cleaned as typed text is; blank is none. */
function withCleanChannelName(interaction: Interaction): Interaction {
  if (interaction.channelName === undefined) return interaction;
  const { channelName, ...rest } = interaction;
  const clean = cleanText(channelName).trim();
  return clean === "" ? rest : { ...rest, channelName: clean };
}

async function guarded(deps: CoreDeps, interaction: Interaction, typed: string, work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError) return reply(problemView(err.message, undefined, typed));
    if (isStoreUnavailable(err)) {
      deps.log.warn({ err, userId: interaction.actor.userId }, "database unavailable");
      return reply(unavailableView(typed));
    }
    deps.log.error({ err, userId: interaction.actor.userId }, "command failed");
    return reply(problemView("Sorry — something went wrong and nothing was saved. Please try again.", undefined, typed));
  }
}


function failureMessage(deps: CoreDeps, interaction: Interaction, err: unknown): string {
  if (err instanceof DomainError) return err.message;
  if (isStoreUnavailable(err)) {
    deps.log.warn({ err, userId: interaction.actor.userId }, "database unavailable");
    return "Debrief could not reach its database, so nothing was saved. Please submit again in a moment.";
  }
  deps.log.error({ err, userId: interaction.actor.userId }, "form submission failed");
  return "Sorry — something went wrong and nothing was saved. Please submit again.";
}

async function runCommand(deps: DebriefDeps, interaction: Interaction, command: Command, typed: string): Promise<Outcome> {
  switch (command.kind) {
    case "invalid":
      return reply(problemView(command.problem, command.usage, command.typed));

    case "incident.form":
      return {
        kind: "form",
        form: incidentForm({
          formId: INCIDENT_FORM_ID,
          title: "Log an incident",
          submitLabel: "Log it",
          // Forms come back without a channel; carrying it lets the incident belong to the team it was opened in.
          state: interaction.channel?.channelId ?? "",
          initial: { ...(command.category ? { category: command.category } : {}), ...(command.harm ? { physicalHarm: command.harm } : {}) },
        }),
      };

    case "incident.log": {
      const tooLong = overLimit("a quick log", command.summary, WHAT_HAPPENED_MAX);
      if (tooLong) return reply(problemView(`Nothing was logged. ${tooLong} For more, type /incident alone to open the form.`, undefined, command.summary));
      const found = findIdentifier(command.summary);
      if (found) return reply(problemView(`Nothing was logged. ${identifierWarning(found)}`, undefined, command.summary));
      const draft = { ...emptyDraft(), category: command.category ?? "other", physicalHarm: command.harm ?? "none", ...quickLogText(command.summary) };
      const logged = await logIncident(deps, interaction, draft, []);
      return reply(incidentLoggedView(logged.incident, logged.team?.channelId ?? null, logged.leadTold));
    }

    case "incident.list": {
      const { scope, items } = await listOpenIncidents(deps, interaction);
      return reply(incidentListView(items, scope));
    }

    case "incident.show": {
      const seen = await openIncident(deps, interaction, command.ref);
      return reply(seen.visible ? incidentDetailView(seen.incident, seen.people, seen.zone) : incidentOutlineView(seen.incident));
    }

    case "incident.close": {
      if (!command.lesson) {
        return reply(problemView(`What did the team learn? Add the lesson after the reference, e.g. /incident close INC-${command.ref} Check the MAR chart at every handover.`, USAGE.incident));
      }
      const closed = await closeIncident(deps, interaction, command.ref, command.lesson);
      return reply(replyView(`${closed.ref} is closed, with its lesson recorded.`));
    }

    case "debrief.setup": {
      const { team, created } = await setupTeam(deps, interaction);
      return reply(teamSetupView(team, created));
    }

    case "debrief.lead": {
      const { team, lead } = await appointLead(deps, interaction, command.person.userId);
      return reply(leadSetView(team, personName(lead)));
    }

    case "debrief.manager": {
      const { person, manager } = await setReportingLine(deps, interaction, command.person.userId, command.manager.userId);
      return reply(managerSetView(personName(person), personName(manager)));
    }

    case "debrief.member": {
      const { team, person, moved } = await setMember(deps, interaction, command.person.userId);
      return reply(memberSetView(team.name, personName(person), moved));
    }

    case "debrief.settings": {
      const person = await knownPerson(deps, interaction.actor);
      return reply(settingsView(await teamOf(deps.db, interaction, person), deps.config));
    }

    case "debrief.help":
      return reply(helpView());

    case "action.add":
    case "action.list":
    case "action.done":
    case "action.reassign":
    case "action.extend":
      return withActionUsage(typed, () => runActionCommand(deps, interaction, command));

    case "reflect.pending":
    case "reflect.export":
      return reply(notYet());
  }
}

type ActionCommand = Extract<Command, { kind: `action.${string}` }>;

async function runActionCommand(deps: DebriefDeps, interaction: Interaction, command: ActionCommand): Promise<Outcome> {
  const now = deps.now();
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
    case "action.done":
      return reply(actionDoneView(await completeAction(deps, interaction, command.ref, command.note)));
    case "action.reassign": {
      const reassigned = await reassignAction(deps, interaction, command.ref, command.person.userId);
      return reply(actionReassignedView(reassigned, personName(reassigned.newOwner)));
    }
    case "action.extend": {
      const extended = await extendAction(deps, interaction, command.ref, command.due);
      return reply(actionExtendedView(extended, extended.zone, now, extended.ownerUsedTheirMove));
    }
  }
}

/**
 * Bad input to /action (an unreadable date, an unknown incident or person) is answered with the right forms of the
 * command and what was typed, as parse problems are. Refusals on permission are answered plainly: the usage would
 * not help.
 */
async function withActionUsage(typed: string, work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && err.code !== "FORBIDDEN") return reply(problemView(err.message, USAGE.action, typed));
    throw err;
  }
}

/** A long one-liner keeps a summary the form can hold, and the whole text as what happened, so nothing is lost. */
function quickLogText(typed: string): { summary: string; whatHappened: string | null } {
  if (typed.length <= SUMMARY_MAX) return { summary: typed, whatHappened: null };
  return { summary: `${typed.slice(0, SUMMARY_MAX - 1).trimEnd()}…`, whatHappened: typed };
}

function notYet(): MessageView {
  return replyView("Reflection prompts are not switched on in this version of Debrief yet, so nothing was saved. /debrief help shows what you can do now.");
}

async function submit(deps: DebriefDeps, interaction: Interaction, formId: string, values: FormValues, state: string | undefined): Promise<Submission> {
  if (formId === ACTION_FORM_ID) return submitActionForm(deps, interaction, values, state);
  const read = readIncidentForm(values, deps.now());
  if (!read.ok) return { kind: "errors", errors: read.errors };

  if (formId === INCIDENT_FORM_ID) {
    const openedIn = state ? { ...interaction, channel: channelBeside(interaction.actor, state) } : interaction;
    const logged = await logIncident(deps, openedIn, read.draft, read.involvedUserIds);
    return { kind: "done", view: incidentLoggedView(logged.incident, logged.team?.channelId ?? null, logged.leadTold) };
  }
  if (formId === INCIDENT_DETAILS_FORM_ID) {
    const number = state ? parseIncidentRef(state) : undefined;
    if (number === undefined) throw new DomainError("INVALID", "This form has lost track of its incident. Open it again with /incident show INC-n.");
    const updated = await updateIncident(deps, interaction, number, read.draft, read.involvedUserIds);
    return { kind: "done", view: replyView(`${updated.ref} is updated.`) };
  }
  throw new DomainError("INVALID", "This form is from an older version of Debrief. Please open it again.");
}

/** The "Add an action" form: problems go beside the input they are about, and everything typed stays in the form. */
async function submitActionForm(deps: DebriefDeps, interaction: Interaction, values: FormValues, state: string | undefined): Promise<Submission> {
  const number = state ? parseIncidentRef(state) : undefined;
  if (number === undefined) throw new DomainError("INVALID", "This form has lost track of its incident. Open it again from the incident's Add an action button.");
  const actor = await knownPerson(deps, interaction.actor);
  const now = deps.now();
  const zone = personZone(actor, deps);
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

async function pressButton(deps: DebriefDeps, interaction: Interaction, buttonId: string, value: string): Promise<Outcome> {
  const number = parseIncidentRef(value);
  if (number === undefined) return reply(replyView("That button has lost track of its incident. Try /incident list."));
  if (buttonId === "incident.action") {
    // Refused now rather than after the form is filled in: only those who can see the details may add actions.
    const { incident } = await incidentForActions(deps, interaction, number);
    return { kind: "form", form: actionForm(incident.ref) };
  }
  if (buttonId === "incident.details") {
    const { incident, people } = await incidentForEditing(deps, interaction, number);
    return {
      kind: "form",
      form: incidentForm({
        formId: INCIDENT_DETAILS_FORM_ID,
        title: `Details of ${incident.ref}`,
        submitLabel: "Save",
        state: incident.ref,
        initial: incident,
        involvedUserIds: people.involved.map((p) => p.userId),
      }),
    };
  }
  return reply(replyView("That button is from an older version of Debrief. Try /debrief help."));
}

