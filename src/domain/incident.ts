import type { PhysicalHarm, PsychologicalHarm } from "./harm.ts";

export const EVENT_TYPES = ["incident", "near_miss", "concern", "good_practice"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const EVENT_TYPE_LABELS: Record<EventType, string> = {
  incident: "Incident",
  near_miss: "Near miss",
  concern: "Concern",
  good_practice: "Good practice",
};

export const EXTERNAL_NOTIFICATIONS = ["regulator", "la_safeguarding", "lado", "police", "riddor", "duty_of_candour"] as const;
export type ExternalNotification = (typeof EXTERNAL_NOTIFICATIONS)[number];
export const EXTERNAL_NOTIFICATION_LABELS: Record<ExternalNotification, string> = {
  regulator: "Regulator (CQC/Ofsted)",
  la_safeguarding: "Local authority safeguarding",
  lado: "LADO",
  police: "Police",
  riddor: "RIDDOR",
  duty_of_candour: "Duty of candour",
};

export const LEARNING_RESPONSES = ["none", "debrief", "aar", "full_review"] as const;
export type LearningResponse = (typeof LEARNING_RESPONSES)[number];
export const LEARNING_RESPONSE_LABELS: Record<LearningResponse, string> = {
  none: "None",
  debrief: "Debrief / huddle",
  aar: "After Action Review",
  full_review: "Full review",
};

export const INCIDENT_STATUSES = ["open", "under_review", "closed"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const AGE_BANDS = ["0-4", "5-10", "11-15", "16-17", "18-25", "26-64", "65+"] as const;

/** Who a person is on a platform: the workspace-qualified id the store keys on. */
export type PersonId = string;

/** What a reporter supplies; everything else is set by the system. */
export interface IncidentDraft {
  eventType: EventType;
  category: string;
  summary: string;
  whatHappened: string | null;
  occurredAt: Date | null;
  location: string | null;
  serviceUserRef: string | null;
  ageBand: string | null;
  physicalHarm: PhysicalHarm;
  psychologicalHarm: PsychologicalHarm | null;
  involved: PersonId[];
  immediateAction: string | null;
  notifications: ExternalNotification[];
  learningResponse: LearningResponse;
  anonymous: boolean;
}

export interface Incident extends Omit<IncidentDraft, "occurredAt"> {
  id: number;
  workspaceId: string;
  ref: string;
  teamId: number | null;
  occurredAt: Date;
  reportedAt: Date;
  status: IncidentStatus;
  reporterId: PersonId;
  restricted: boolean;
  lesson: string | null;
  closedAt: Date | null;
}

// The most characters each free text of an incident may hold. Forms stop typing at them and the core refuses more,
// naming the limit; the long texts stop at 3000, the most a Slack text input takes.
/** One line, shown in the team channel. */
export const SUMMARY_MAX = 150;
export const WHAT_HAPPENED_MAX = 3000;
export const LOCATION_MAX = 200;
/** A pseudonymous reference, never a name. */
export const SERVICE_USER_REF_MAX = 50;
export const IMMEDIATE_ACTION_MAX = 3000;
/** A few sentences the team reads when the incident is closed, typed after /incident close. */
export const LESSON_MAX = 1000;
/**
 * Staff involved in one incident, at most: each joins the circle that reads it and is asked to reflect, so a report
 * mentioning a whole workspace would open it to everyone and send each of them prompts.
 */
export const INVOLVED_MAX = 20;

/** Why so many people cannot all be involved, or undefined when they can. */
export function tooManyInvolved(count: number): string | undefined {
  return count > INVOLVED_MAX ? `An incident can have at most ${INVOLVED_MAX} staff involved; this names ${count}.` : undefined;
}

export function emptyDraft(): IncidentDraft {
  return {
    eventType: "incident",
    category: "other",
    summary: "",
    whatHappened: null,
    occurredAt: null,
    location: null,
    serviceUserRef: null,
    ageBand: null,
    physicalHarm: "none",
    psychologicalHarm: null,
    involved: [],
    immediateAction: null,
    notifications: [],
    learningResponse: "none",
    anonymous: false,
  };
}
