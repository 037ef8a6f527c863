import { DEFAULT_CATEGORIES } from "../domain/categories.ts";
import { isPhysicalHarm, isPsychologicalHarm } from "../domain/harm.ts";
import { findIdentifier, identifierWarning } from "../domain/identifiers.ts";
import {
  AGE_BANDS,
  EVENT_TYPES,
  EXTERNAL_NOTIFICATIONS,
  IMMEDIATE_ACTION_MAX,
  LEARNING_RESPONSES,
  LOCATION_MAX,
  SERVICE_USER_REF_MAX,
  SUMMARY_MAX,
  tooManyInvolved,
  WHAT_HAPPENED_MAX,
  type ExternalNotification,
  type IncidentDraft,
} from "../domain/incident.ts";
import { overLimit } from "../domain/text.ts";
import type { FormErrors, FormValues } from "../views/view.ts";

export type ReadForm =
  | { ok: true; draft: Omit<IncidentDraft, "involved">; involvedUserIds: string[] }
  | { ok: false; errors: FormErrors };

const text = (v: FormValues[string]): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const list = (v: FormValues[string]): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const oneOf = <T extends string>(allowed: readonly T[], v: string | null): v is T => v !== null && (allowed as readonly string[]).includes(v);

// The form's free texts: each is held to its limit (a platform may not stop typing there) and checked for identifiers.
const FREE_TEXTS = {
  summary: { max: SUMMARY_MAX, what: "the summary", instead: " Put the rest under What happened." },
  what_happened: { max: WHAT_HAPPENED_MAX, what: "what happened", instead: "" },
  location: { max: LOCATION_MAX, what: "the location", instead: "" },
  service_user_ref: { max: SERVICE_USER_REF_MAX, what: "the reference", instead: " Use their pseudonymous reference, never a name." },
  immediate_action: { max: IMMEDIATE_ACTION_MAX, what: "the immediate action", instead: "" },
} as const;

// A little slack for clocks that disagree between the user's device and ours.
const FUTURE_TOLERANCE_MS = 5 * 60_000;
// Historic disclosures go back decades, not centuries; Postgres cannot hold a time before 4713 BC at all.
const EARLIEST_OCCURRED_AT = new Date("1900-01-01T00:00:00Z");

/** Checks a submitted incident form; every problem is reported beside its input, in words a reporter can act on. */
export function readIncidentForm(values: FormValues, now: Date): ReadForm {
  const errors: FormErrors = {};

  const eventType = text(values.event_type) ?? "incident";
  if (!oneOf(EVENT_TYPES, eventType)) errors.event_type = "Choose what kind of event this was.";

  const category = text(values.category);
  if (!category) errors.category = "Choose a category. If none fits, choose Other.";
  else if (!DEFAULT_CATEGORIES.some((c) => c.key === category)) errors.category = "Choose one of the listed categories.";

  const summary = text(values.summary);
  if (!summary) errors.summary = "Add a one-line summary of what happened.";

  const physicalHarm = text(values.physical_harm) ?? "none";
  if (!isPhysicalHarm(physicalHarm)) errors.physical_harm = "Choose the level of physical harm (choose No harm if there was none).";
  const psychologicalHarm = text(values.psychological_harm);
  if (psychologicalHarm !== null && !isPsychologicalHarm(psychologicalHarm)) errors.psychological_harm = "Choose one of the listed levels.";

  const ageBand = text(values.age_band);
  if (ageBand !== null && !oneOf(AGE_BANDS, ageBand)) errors.age_band = "Choose one of the listed age bands.";

  const notifications = list(values.notifications);
  if (!notifications.every((n) => oneOf(EXTERNAL_NOTIFICATIONS, n))) errors.notifications = "Choose from the listed notifications.";

  const learningResponse = text(values.learning_response) ?? "none";
  if (!oneOf(LEARNING_RESPONSES, learningResponse)) errors.learning_response = "Choose a learning response.";

  const occurred = values.occurred_at;
  let occurredAt: Date | null = null;
  if (occurred instanceof Date) {
    if (Number.isNaN(occurred.getTime())) errors.occurred_at = "That date and time could not be read.";
    else if (occurred.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) errors.occurred_at = "That time is in the future. When did it happen?";
    else if (occurred < EARLIEST_OCCURRED_AT) errors.occurred_at = "That date is before 1900. When did it happen?";
    else occurredAt = occurred;
  }

  for (const [id, limit] of Object.entries(FREE_TEXTS)) {
    if (errors[id]) continue;
    const typed = text(values[id]) ?? "";
    const tooLong = overLimit(limit.what, typed, limit.max);
    const kind = tooLong ? undefined : findIdentifier(typed);
    if (tooLong) errors[id] = `${tooLong}${limit.instead}`;
    else if (kind) errors[id] = identifierWarning(kind);
  }

  const involved = [...new Set(list(values.involved))];
  const crowded = tooManyInvolved(involved.length);
  if (crowded) errors.involved = crowded;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    involvedUserIds: involved,
    draft: {
      eventType: eventType as IncidentDraft["eventType"],
      category: category!,
      summary: summary!,
      whatHappened: text(values.what_happened),
      occurredAt,
      location: text(values.location),
      serviceUserRef: text(values.service_user_ref),
      ageBand,
      physicalHarm: physicalHarm as IncidentDraft["physicalHarm"],
      psychologicalHarm: psychologicalHarm as IncidentDraft["psychologicalHarm"],
      immediateAction: text(values.immediate_action),
      notifications: notifications as ExternalNotification[],
      learningResponse: learningResponse as IncidentDraft["learningResponse"],
      anonymous: false,
    },
  };
}
