import type { Command } from "./commands/command.ts";
import { parseCommand, USAGE } from "./commands/parse.ts";
import { DomainError } from "./domain/errors.ts";
import { emptyDraft } from "./domain/incident.ts";
import { findIdentifier, identifierWarning } from "./domain/identifiers.ts";
import { parseIncidentRef } from "./domain/references.ts";
import type { Debrief, Interaction, Outcome, Submission } from "./interaction.ts";
import { isStoreUnavailable } from "./store/unavailable.ts";
import type { Config } from "./config.ts";
import type { CoreDeps } from "./usecases/deps.ts";
import { closeIncident, incidentForEditing, listOpenIncidents, showIncident, updateIncident } from "./usecases/incident-record.ts";
import { logIncident } from "./usecases/log-incident.ts";
import { knownPerson } from "./usecases/people.ts";
import { readIncidentForm } from "./usecases/read-incident-form.ts";
import { appointLead, setReportingLine, setupTeam, teamOf } from "./usecases/team-spaces.ts";
import { helpView } from "./views/help-view.ts";
import { INCIDENT_DETAILS_FORM_ID, INCIDENT_FORM_ID, incidentForm } from "./views/incident-form.ts";
import {
  incidentDetailView,
  incidentListView,
  incidentLoggedView,
  incidentOutlineView,
} from "./views/incident-views.ts";
import { problemView, replyView, unavailableView } from "./views/reply-views.ts";
import { leadSetView, managerSetView, settingsView, teamSetupView } from "./views/team-views.ts";
import type { FormValues, MessageView } from "./views/view.ts";

export type DebriefDeps = CoreDeps & { config: CoreDeps["config"] & Parameters<typeof settingsView>[1] & Pick<Config, "timeZone"> };

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

/** The core behind every adapter: parses, calls one use case, and turns what happened into a view. */
export function createDebrief(deps: DebriefDeps): Debrief {
  return {
    async command(interaction, name, text) {
      const command = parseCommand(name, text);
      return guarded(deps, interaction, text, () => runCommand(deps, interaction, command));
    },

    async submitForm(interaction, formId, values, state) {
      try {
        return await submit(deps, interaction, formId, values, state);
      } catch (err) {
        const message = failureMessage(deps, interaction, err);
        // Keep the form open with everything typed, and say why on its first input.
        return { kind: "errors", errors: { summary: message } };
      }
    },

    async press(interaction, buttonId, value) {
      return guarded(deps, interaction, "", () => pressButton(deps, interaction, buttonId, value));
    },
  };
}

async function guarded(deps: CoreDeps, interaction: Interaction, typed: string, work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError) return reply(replyWithTyped(err.message, typed));
    if (isStoreUnavailable(err)) {
      deps.log.warn({ err, userId: interaction.actor.userId }, "database unavailable");
      return reply(unavailableView(typed));
    }
    deps.log.error({ err, userId: interaction.actor.userId }, "command failed");
    return reply(replyWithTyped("Sorry — something went wrong and nothing was saved. Please try again.", typed));
  }
}

function replyWithTyped(message: string, typed: string): MessageView {
  if (!typed.trim()) return replyView(message);
  return { text: message, sections: [{ text: message }, { text: [{ strong: "You typed: " }, { code: typed }] }] };
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

async function runCommand(deps: DebriefDeps, interaction: Interaction, command: Command): Promise<Outcome> {
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
          state: "",
          initial: { ...(command.category ? { category: command.category } : {}), ...(command.harm ? { physicalHarm: command.harm } : {}) },
        }),
      };

    case "incident.log": {
      const found = findIdentifier(command.summary);
      if (found) return reply(replyWithTyped(`Nothing was logged. ${identifierWarning(found)}`, command.summary));
      const draft = {
        ...emptyDraft(),
        category: command.category ?? "other",
        physicalHarm: command.harm ?? "none",
        summary: command.summary.slice(0, 3000),
      };
      const logged = await logIncident(deps, interaction, draft, []);
      return reply(incidentLoggedView(logged.incident, logged.team?.channelId ?? null, logged.leadTold));
    }

    case "incident.list": {
      const { scope, items } = await listOpenIncidents(deps, interaction);
      return reply(incidentListView(items, scope));
    }

    case "incident.show": {
      const seen = await showIncident(deps, interaction, command.ref);
      return reply(seen.visible ? incidentDetailView(seen.incident, seen.people, zoneOf(deps)) : incidentOutlineView(seen.incident));
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
      const { team } = await appointLead(deps, interaction, command.person.userId);
      return reply(leadSetView(team, command.person.userId));
    }

    case "debrief.manager": {
      await setReportingLine(deps, interaction, command.person.userId, command.manager.userId);
      return reply(managerSetView(command.person.userId, command.manager.userId));
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
    case "reflect.pending":
    case "reflect.export":
      return reply(notYet(command.kind));
  }
}

function notYet(kind: Command["kind"]): MessageView {
  const what = kind.startsWith("action") ? "Follow-up actions" : "Reflection prompts";
  return replyView(`${what} are not switched on in this version of Debrief yet, so nothing was saved. /debrief help shows what you can do now.`);
}

async function submit(deps: DebriefDeps, interaction: Interaction, formId: string, values: FormValues, state: string | undefined): Promise<Submission> {
  const read = readIncidentForm(values, deps.now());
  if (!read.ok) return { kind: "errors", errors: read.errors };

  if (formId === INCIDENT_FORM_ID) {
    const logged = await logIncident(deps, interaction, read.draft, read.involvedUserIds);
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

async function pressButton(deps: DebriefDeps, interaction: Interaction, buttonId: string, value: string): Promise<Outcome> {
  const number = parseIncidentRef(value);
  if (number === undefined) return reply(replyView("That button has lost track of its incident. Try /incident list."));
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
        involvedUserIds: people.involved,
      }),
    };
  }
  return reply(replyView("That button is from an older version of Debrief. Try /debrief help."));
}

const zoneOf = (deps: CoreDeps) => deps.config.timeZone;
