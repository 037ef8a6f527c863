import { DEFAULT_CATEGORIES } from "../domain/categories.ts";
import { HARM_LABELS, PHYSICAL_HARM, PSYCHOLOGICAL_HARM } from "../domain/harm.ts";
import {
  AGE_BANDS,
  EVENT_TYPE_LABELS,
  EVENT_TYPES,
  EXTERNAL_NOTIFICATION_LABELS,
  EXTERNAL_NOTIFICATIONS,
  IMMEDIATE_ACTION_MAX,
  INVOLVED_MAX,
  LEARNING_RESPONSE_LABELS,
  LEARNING_RESPONSES,
  LOCATION_MAX,
  SERVICE_USER_REF_MAX,
  SUMMARY_MAX,
  WHAT_HAPPENED_MAX,
  type IncidentDraft,
} from "../domain/incident.ts";
import type { FormView, Option } from "./view.ts";

export const INCIDENT_FORM_ID = "incident.new";
export const INCIDENT_DETAILS_FORM_ID = "incident.details";

const options = <K extends string>(keys: readonly K[], label: (k: K) => string): Option[] =>
  keys.map((value) => ({ value, label: label(value) }));

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The incident form with DOMAIN.md's fields. `initial` prefills it (a quick log's category and harm, or the saved
 * incident when adding details); `platformIds` are the involved people as the platform knows them.
 */
export function incidentForm(params: {
  formId: string;
  title: string;
  submitLabel: string;
  state: string;
  initial?: Partial<IncidentDraft>;
  involvedUserIds?: readonly string[];
}): FormView {
  const i = params.initial ?? {};
  return {
    id: params.formId,
    title: params.title,
    submitLabel: params.submitLabel,
    state: params.state,
    intro: "Facts, not opinions. No names of people we support: use their reference.",
    inputs: [
      { kind: "select", id: "event_type", label: "What kind of event", options: options(EVENT_TYPES, (k) => EVENT_TYPE_LABELS[k]), initial: i.eventType ?? "incident" },
      { kind: "select", id: "category", label: "Category", options: DEFAULT_CATEGORIES.map((c) => ({ value: c.key, label: c.label })), ...(i.category ? { initial: i.category } : {}) },
      { kind: "text", id: "summary", label: "Summary", hint: "One line, shown in the team channel.", maxLength: SUMMARY_MAX, ...(i.summary ? { initial: i.summary } : {}) },
      { kind: "text", id: "what_happened", label: "What happened", multiline: true, optional: true, maxLength: WHAT_HAPPENED_MAX, ...(i.whatHappened ? { initial: i.whatHappened } : {}) },
      { kind: "datetime", id: "occurred_at", label: "When it happened", hint: "Leave as now if it just happened.", optional: true, ...(i.occurredAt ? { initial: i.occurredAt } : {}) },
      { kind: "text", id: "location", label: "Service or location", hint: "e.g. Oak House", optional: true, maxLength: LOCATION_MAX, ...(i.location ? { initial: i.location } : {}) },
      { kind: "text", id: "service_user_ref", label: "Reference of the person we support", hint: "Their pseudonymous reference, never a name.", optional: true, maxLength: SERVICE_USER_REF_MAX, ...(i.serviceUserRef ? { initial: i.serviceUserRef } : {}) },
      { kind: "select", id: "age_band", label: "Their age band", optional: true, options: AGE_BANDS.map((a) => ({ value: a, label: a })), ...(i.ageBand ? { initial: i.ageBand } : {}) },
      { kind: "select", id: "physical_harm", label: "Physical harm", options: options(PHYSICAL_HARM, (k) => HARM_LABELS[k]), initial: i.physicalHarm ?? "none" },
      { kind: "select", id: "psychological_harm", label: "Psychological harm", optional: true, options: options(PSYCHOLOGICAL_HARM, (k) => capitalise(k)), ...(i.psychologicalHarm ? { initial: i.psychologicalHarm } : {}) },
      {
        kind: "people",
        id: "involved",
        label: "Staff involved",
        hint: "They will be asked to reflect later.",
        optional: true,
        maxSelected: INVOLVED_MAX,
        ...(params.involvedUserIds?.length ? { initial: params.involvedUserIds } : {}),
      },
      { kind: "text", id: "immediate_action", label: "Immediate action taken", multiline: true, optional: true, maxLength: IMMEDIATE_ACTION_MAX, ...(i.immediateAction ? { initial: i.immediateAction } : {}) },
      { kind: "multiselect", id: "notifications", label: "Who has been or must be notified", optional: true, options: options(EXTERNAL_NOTIFICATIONS, (k) => EXTERNAL_NOTIFICATION_LABELS[k]), ...(i.notifications?.length ? { initial: i.notifications } : {}) },
      { kind: "select", id: "learning_response", label: "Learning response", options: options(LEARNING_RESPONSES, (k) => LEARNING_RESPONSE_LABELS[k]), initial: i.learningResponse ?? "debrief" },
    ],
  };
}
