import type { Action } from "../domain/action.ts";
import { categoryLabel } from "../domain/categories.ts";
import { HARM_LABELS } from "../domain/harm.ts";
import {
  EVENT_TYPE_LABELS,
  EXTERNAL_NOTIFICATION_LABELS,
  LEARNING_RESPONSE_LABELS,
  type Incident,
} from "../domain/incident.ts";
import { formatWhen, plural } from "./format.ts";
import { command, mention, type Button, type Field, type MessageView, type PersonName, type Span } from "./view.ts";

/** People on the record, by their platform user ids (so renderers can mention them) and display names. */
export interface IncidentPeople {
  reporter: PersonName | null;
  involved: readonly PersonName[];
}

const STATUS_LABELS: Record<Incident["status"], string> = { open: "Open", under_review: "Under review", closed: "Closed" };

const heading = (incident: Incident): string => `${incident.ref} · ${categoryLabel(incident.category)}`;

const mentions = (people: readonly PersonName[]): Span[] =>
  people.flatMap((person, i) => (i === 0 ? [mention(person)] : [", ", mention(person)]));

export const detailsButton = (incident: Incident): Button => ({ id: "incident.details", label: "Add details", value: incident.ref });

/** The reporter's own confirmation, with what to do next. */
export function incidentLoggedView(incident: Incident, announcedIn: string | null, leadTold: boolean | null): MessageView {
  const where: Span[] = announcedIn
    ? [incident.restricted ? `Announced in the team channel by reference only, as it is restricted.` : `Announced in the team channel.`]
    : [`No team channel is set up yet, so nobody else has been told. Run `, command("debrief setup"), ` in your team's channel.`];
  // With no team there is no lead either, and `where` has already said nobody else was told.
  const lead: Span[] =
    leadTold === null || !announcedIn
      ? []
      : leadTold
        ? [" The details have gone to the team lead."]
        : [" This team has no lead yet, so the details have gone to nobody else. Ask for one to be set with ", command("debrief lead @person"), "."];
  return {
    text: `Logged ${incident.ref}: ${incident.summary}`,
    sections: [
      { text: [{ strong: `Logged ${incident.ref}` }, ` · ${categoryLabel(incident.category)} · ${HARM_LABELS[incident.physicalHarm]}`] },
      { text: incident.summary },
    ],
    buttons: [detailsButton(incident), { id: "incident.action", label: "Add an action", value: incident.ref }],
    context: [...where, ...lead],
  };
}

/** The team channel's announcement. A restricted incident shows its reference and category only. */
export function announcementView(incident: Incident, people: IncidentPeople, zone: string): MessageView {
  if (incident.restricted) {
    return {
      text: `${incident.ref} · ${categoryLabel(incident.category)} · restricted`,
      sections: [
        { text: [{ strong: heading(incident) }, " · restricted"] },
        // True whether or not the team has a lead yet: the announcement is posted before anyone reads it.
        { text: "Its details are shared only with those who need to know: the reporter, the staff involved, their managers and the team lead." },
      ],
    };
  }
  const fields: Field[] = [
    { label: "Type", value: EVENT_TYPE_LABELS[incident.eventType] },
    { label: "Harm", value: HARM_LABELS[incident.physicalHarm] },
    { label: "When", value: formatWhen(incident.occurredAt, zone) },
  ];
  if (incident.location) fields.push({ label: "Where", value: incident.location });
  if (people.reporter && !incident.anonymous) fields.push({ label: "Reported by", value: [mention(people.reporter)] });
  return {
    text: `${incident.ref} · ${categoryLabel(incident.category)}: ${incident.summary}`,
    sections: [{ text: [{ strong: heading(incident) }] }, { text: incident.summary }, { fields }],
  };
}

/** Everything recorded, for those who need to know: the lead's direct message and /incident show. */
export function incidentDetailView(incident: Incident, people: IncidentPeople, zone: string, intro?: string): MessageView {
  const fields: Field[] = [
    { label: "Type", value: EVENT_TYPE_LABELS[incident.eventType] },
    { label: "Status", value: STATUS_LABELS[incident.status] },
    { label: "Physical harm", value: HARM_LABELS[incident.physicalHarm] },
    { label: "When", value: formatWhen(incident.occurredAt, zone) },
    { label: "Reported", value: formatWhen(incident.reportedAt, zone) },
  ];
  if (incident.psychologicalHarm) fields.push({ label: "Psychological harm", value: incident.psychologicalHarm });
  if (incident.location) fields.push({ label: "Where", value: incident.location });
  if (incident.serviceUserRef) fields.push({ label: "Person supported", value: `${incident.serviceUserRef}${incident.ageBand ? ` (${incident.ageBand})` : ""}` });
  fields.push({ label: "Reported by", value: people.reporter && !incident.anonymous ? [mention(people.reporter)] : "Anonymous" });
  if (people.involved.length) fields.push({ label: "Staff involved", value: mentions(people.involved) });
  if (incident.notifications.length) fields.push({ label: "Notified", value: incident.notifications.map((n) => EXTERNAL_NOTIFICATION_LABELS[n]).join(", ") });
  fields.push({ label: "Learning response", value: LEARNING_RESPONSE_LABELS[incident.learningResponse] });

  const sections = [
    ...(intro ? [{ text: intro }] : []),
    { text: [{ strong: `${heading(incident)}${incident.restricted ? " · restricted" : ""}` }] as Span[] },
    { text: incident.summary },
    { fields },
  ];
  if (incident.whatHappened) sections.push({ text: [{ strong: "What happened\n" }, incident.whatHappened] });
  if (incident.immediateAction) sections.push({ text: [{ strong: "Immediate action\n" }, incident.immediateAction] });
  if (incident.lesson) sections.push({ text: [{ strong: "Lesson learned\n" }, incident.lesson] });
  return {
    text: `${incident.ref} · ${categoryLabel(incident.category)}: ${incident.summary}`,
    sections,
    buttons: incident.status === "closed" ? [] : [detailsButton(incident)],
  };
}

/** What someone outside the need-to-know circle may see. */
export function incidentOutlineView(incident: Incident): MessageView {
  const summary = incident.restricted ? "restricted" : incident.summary;
  return {
    text: `${incident.ref} · ${categoryLabel(incident.category)}: ${summary}`,
    sections: [
      { text: [{ strong: heading(incident) }, ` · ${STATUS_LABELS[incident.status]}`] },
      { text: incident.restricted ? "This incident is restricted: its details are shared only with those who need to know." : summary },
    ],
    context: incident.restricted ? undefined : "Only the reporter, the staff involved, their managers and the lead see the full record.",
  };
}

/** One line per incident; restricted ones the reader may not see show only their reference and category. */
export function incidentListView(items: readonly { incident: Incident; visible: boolean }[], scope: string): MessageView {
  if (items.length === 0) {
    return { text: `No open incidents in ${scope}.`, sections: [{ text: [`No open incidents in ${scope}. Log one with `, command("incident"), "."] }] };
  }
  const lines = items.map(({ incident, visible }) => {
    const what = incident.restricted && !visible ? "restricted" : incident.summary;
    return `${incident.ref} · ${categoryLabel(incident.category)} · ${STATUS_LABELS[incident.status]} — ${what}`;
  });
  return {
    text: `${plural(items.length, "open incident")} in ${scope}`,
    title: `Open incidents in ${scope}`,
    sections: [{ text: lines.join("\n") }],
    context: ["See one with ", command("incident show INC-n"), "."],
  };
}

export function incidentClosedView(incident: Incident): MessageView {
  if (incident.restricted) {
    return { text: `${incident.ref} closed`, sections: [{ text: [{ strong: `${heading(incident)} · restricted` }, " has been closed."] }] };
  }
  return {
    text: `${incident.ref} closed: ${incident.lesson ?? ""}`,
    sections: [
      { text: [{ strong: heading(incident) }, " has been closed."] },
      { text: [{ strong: "Lesson learned\n" }, incident.lesson ?? ""] },
    ],
  };
}

/** The button that closes an incident despite its open actions; it carries the reference and the lesson. */
export const CLOSE_ANYWAY = "incident.close_anyway";

/** Asked before closing an incident with open actions: which they are, and that they will stay open. */
export function closeWithOpenActionsView(ref: string, actions: readonly Action[], lesson: string): MessageView {
  const shown = actions.slice(0, 10);
  return {
    text: `${ref} still has ${actions.length} open action${actions.length === 1 ? "" : "s"}`,
    sections: [
      { text: `${ref} still has ${actions.length} open action${actions.length === 1 ? "" : "s"}. Close it anyway? ${actions.length === 1 ? "It stays" : "They stay"} open with ${actions.length === 1 ? "its owner" : "their owners"}, and ${actions.length === 1 ? "keeps" : "keep"} climbing if overdue.` },
      { text: shown.map((a) => `${a.ref}: ${a.title}`).join("\n") + (actions.length > shown.length ? `\nand ${actions.length - shown.length} more` : "") },
      { text: [{ strong: "Lesson: " }, lesson] },
    ],
    buttons: [{ id: CLOSE_ANYWAY, label: `Close ${ref} anyway`, value: `${ref}\n${lesson}`, style: "danger" }],
  };
}
