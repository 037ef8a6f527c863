import type { Command } from "../../commands/command.ts";
import { USAGE } from "../../commands/parse.ts";
import { grammarRoute } from "../../commands/route.ts";
import type { Feature, Request } from "../../core/feature.ts";
import { DomainError } from "../../domain/errors.ts";
import { findIdentifier, identifierWarning } from "../../domain/identifiers.ts";
import { emptyDraft, SUMMARY_MAX, tooManyInvolved, WHAT_HAPPENED_MAX } from "../../domain/incident.ts";
import { mentionedIds, withNames } from "../../domain/mentions.ts";
import { parseIncidentRef } from "../../domain/references.ts";
import { overLimit } from "../../domain/text.ts";
import { updatePressed, type Outcome, type Submission } from "../../interaction.ts";
import { channelBeside } from "../../store/keys.ts";
import { closeIncident, incidentForEditing, listOpenIncidents, OpenActionsOnClose, openIncident, updateIncident } from "../../usecases/incident-record.ts";
import { logIncident } from "../../usecases/log-incident.ts";
import { knownPerson, mentionedRef } from "../../usecases/people.ts";
import { readIncidentForm } from "../../usecases/read-incident-form.ts";
import { INCIDENT_DETAILS_FORM_ID, INCIDENT_FORM_ID, incidentForm } from "../../views/incident-form.ts";
import { CLOSE_ANYWAY, closeWithOpenActionsView, incidentDetailView, incidentListView, incidentLoggedView, incidentOutlineView } from "../../views/incident-views.ts";
import { problemView, replyView } from "../../views/reply-views.ts";
import type { FormValues, MessageView } from "../../views/view.ts";

/** Logging incidents and keeping their record: /incident, the incident form, and its details form and button. */

// "/incident help" is help, as people type it.
type IncidentCommand = Extract<Command, { kind: `incident.${string}` | "debrief.help" }>;

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

async function runIncident({ deps, interaction, help }: Request, command: IncidentCommand): Promise<Outcome> {
  switch (command.kind) {
    case "debrief.help":
      return reply(help());

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
      // People mentioned are involved, as if picked in the form's "Staff involved"; the summary names them.
      const mentioned = [...new Set(mentionedIds(command.summary))];
      const crowded = tooManyInvolved(mentioned.length);
      if (crowded) return reply(problemView(`Nothing was logged. ${crowded} Mention only the staff who were there.`, undefined, command.summary));
      const involved = await Promise.all(mentioned.map((id) => knownPerson(deps, mentionedRef(interaction.actor, id))));
      const names = new Map(involved.map((p) => [p.ref.userId, p.displayName]));
      const summary = withNames(command.summary, (id) => names.get(id) ?? id);
      const draft = { ...emptyDraft(), category: command.category ?? "other", physicalHarm: command.harm ?? "none", ...quickLogText(summary) };
      const logged = await logIncident(deps, interaction, draft, involved.map((p) => p.ref.userId));
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
      return closeAsking(deps, interaction, command.ref, command.lesson, false);
    }
  }
}

/** Closing an incident with open actions lists them and asks; "Close anyway" carries the lesson, so nothing is retyped. */
async function closeAsking(deps: Request["deps"], interaction: Request["interaction"], number: number, lesson: string, confirmed: boolean): Promise<Outcome> {
  try {
    const closed = await closeIncident(deps, interaction, number, lesson, confirmed);
    const view = replyView(`${closed.ref} is closed, with its lesson recorded.`);
    return confirmed ? updatePressed(view) : reply(view);
  } catch (err) {
    if (!(err instanceof OpenActionsOnClose)) throw err;
    return reply(closeWithOpenActionsView(err.incident.ref, err.actions, lesson));
  }
}

async function closeAnyway({ deps, interaction }: Request, value: string): Promise<Outcome> {
  const [ref = "", ...rest] = value.split("\n");
  const number = parseIncidentRef(ref);
  if (number === undefined) return reply(replyView("That button has lost track of its incident. Try /incident list."));
  return closeAsking(deps, interaction, number, rest.join("\n"), true);
}

/** A long one-liner keeps a summary the form can hold, and the whole text as what happened, so nothing is lost. */
function quickLogText(typed: string): { summary: string; whatHappened: string | null } {
  if (typed.length <= SUMMARY_MAX) return { summary: typed, whatHappened: null };
  return { summary: `${typed.slice(0, SUMMARY_MAX - 1).trimEnd()}…`, whatHappened: typed };
}

async function logFromForm({ deps, interaction }: Request, values: FormValues, state: string | undefined): Promise<Submission> {
  const read = readIncidentForm(values, deps.now());
  if (!read.ok) return { kind: "errors", errors: read.errors };
  const openedIn = state ? { ...interaction, channel: channelBeside(interaction.actor, state) } : interaction;
  const logged = await logIncident(deps, openedIn, read.draft, read.involvedUserIds);
  return { kind: "done", view: incidentLoggedView(logged.incident, logged.team?.channelId ?? null, logged.leadTold) };
}

async function saveDetails({ deps, interaction }: Request, values: FormValues, state: string | undefined): Promise<Submission> {
  const read = readIncidentForm(values, deps.now());
  if (!read.ok) return { kind: "errors", errors: read.errors };
  const number = state ? parseIncidentRef(state) : undefined;
  if (number === undefined) throw new DomainError("INVALID", "This form has lost track of its incident. Open it again with /incident show INC-n.");
  const updated = await updateIncident(deps, interaction, number, read.draft, read.involvedUserIds);
  return { kind: "done", view: replyView(`${updated.ref} is updated.`) };
}

async function openDetails({ deps, interaction }: Request, value: string): Promise<Outcome> {
  const number = parseIncidentRef(value);
  if (number === undefined) return reply(replyView("That button has lost track of its incident. Try /incident list."));
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

export const incidents: Feature = {
  commands: {
    incident: grammarRoute<IncidentCommand>("incident", runIncident, (parsed) => parsed.kind === "incident.form"),
  },
  buttons: { "incident.details": openDetails, [CLOSE_ANYWAY]: closeAnyway },
  forms: { [INCIDENT_FORM_ID]: logFromForm, [INCIDENT_DETAILS_FORM_ID]: saveDetails },
};
