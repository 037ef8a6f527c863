import type { ColumnType, Generated, JSONColumnType } from "kysely";

/** Table types as Kysely sees them; rows are mapped to domain objects in each repository. */
export interface Database {
  workspace: WorkspaceTable;
  team: TeamTable;
  person: PersonTable;
  incident: IncidentTable;
  incident_person: IncidentPersonTable;
  audit_log: AuditLogTable;
  delivery: DeliveryTable;
  action: ActionTable;
  request: RequestTable;
  reflection_prompt: ReflectionPromptTable;
  reflection: ReflectionTable;
  escalation_step: EscalationStepTable;
}

type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface WorkspaceTable {
  id: string;
  platform: string;
  next_incident_no: Generated<number>;
  next_action_no: Generated<number>;
  created_at: CreatedAt;
}

export interface TeamTable {
  id: Generated<number>;
  workspace_id: string;
  channel_id: string;
  name: string;
  lead_id: string | null;
  settings: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: CreatedAt;
}

export interface PersonTable {
  id: string;
  workspace_id: string;
  user_id: string;
  display_name: string;
  time_zone: string | null;
  manager_id: string | null;
  team_id: number | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** When they were last sent a prompt or reminder (PROMPT_MIN_GAP). */
  last_prompted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface IncidentTable {
  id: Generated<number>;
  workspace_id: string;
  number: number;
  team_id: number | null;
  event_type: string;
  category: string;
  summary: string;
  what_happened: string | null;
  occurred_at: Date;
  reported_at: CreatedAt;
  location: string | null;
  service_user_ref: string | null;
  age_band: string | null;
  physical_harm: string;
  psychological_harm: string | null;
  immediate_action: string | null;
  notifications: string[];
  learning_response: string;
  status: Generated<string>;
  reporter_id: string;
  anonymous: boolean;
  restricted: boolean;
  source_channel_id: string | null;
  /** The platform request it was logged from (see migrations/2026_11_25_2300_record_incident_request.ts). */
  request_id: string | null;
  lesson: string | null;
  closed_at: Date | null;
}

export interface IncidentPersonTable {
  incident_id: number;
  person_id: string;
}

export interface AuditLogTable {
  id: Generated<string>;
  workspace_id: string;
  actor_id: string | null;
  action: string;
  subject: string;
  before: ColumnType<object | null, string | null, never>;
  after: ColumnType<object | null, string | null, never>;
  at: CreatedAt;
}

export type DeliveryStatus = "pending" | "sending" | "sent" | "failed";

export interface DeliveryTable {
  id: Generated<string>;
  dedupe_key: string;
  platform: string;
  workspace_id: string;
  /** "message" edits what another delivery posted: target_id is that delivery's id. */
  target_kind: "person" | "channel" | "message";
  target_id: string;
  /** Rewritten only before the row is sent (reviseDelivery); an edit is a new row. */
  view: ColumnType<object, string, string>;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  message_channel_id: string | null;
  message_id: string | null;
  created_at: CreatedAt;
  claimed_at: Date | null;
  sent_at: Date | null;
  /** Not sent before this; null means as soon as possible. */
  not_before: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Set when a send of this row may have reached the platform unrecorded: the claim of that send. Null once sent. */
  uncertain_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ActionTable {
  id: Generated<number>;
  workspace_id: string;
  number: number;
  incident_id: number;
  title: string;
  owner_id: string;
  due_at: Date;
  status: ColumnType<ActionStatusColumn, ActionStatusColumn | undefined, ActionStatusColumn>;
  done_note: string | null;
  done_at: Date | null;
  created_by: string;
  created_at: CreatedAt;
  owner_extended_at: Date | null;
  /** When the escalation sweep next acts on an open action; null once done. */
  next_step_at: Date | null;
  escalation_step: Generated<number>;
  cancel_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

type ActionStatusColumn = "open" | "done" | "cancelled";

/** A request done once, with what it answered (see migrations/2026_12_01_0910_create_request.ts). */
export interface RequestTable {
  workspace_id: string;
  request_id: string;
  /** An Outcome or a Submission; null only inside the transaction that claimed the request. */
  outcome: ColumnType<object | null, string | undefined, string>;
  created_at: CreatedAt;
}

export type PromptStatus = "scheduled" | "sent" | "answered" | "expired" | "withdrawn";

/** A reflection prompt (see migrations/2026_12_01_1300_create_reflection.ts). */
export interface ReflectionPromptTable {
  id: Generated<string>;
  workspace_id: string;
  incident_id: number;
  person_id: string;
  step: number;
  steps: number;
  question_set: string;
  status: ColumnType<PromptStatus, PromptStatus | undefined, PromptStatus>;
  due_at: Date;
  next_at: Date | null;
  reminders: ColumnType<number, number | undefined, number>;
  snoozed: ColumnType<boolean, boolean | undefined, boolean>;
  message_key: string | null;
  sent_at: Date | null;
  finished_at: Date | null;
  created_at: CreatedAt;
}

/** One person's answers to one prompt: read by its author only. */
export interface ReflectionTable {
  prompt_id: string;
  workspace_id: string;
  author_id: string;
  incident_id: number;
  question_set: string;
  answers: ColumnType<ReflectionAnswer[], string, never>;
  lesson: string | null;
  lesson_named: boolean;
  cpd: boolean;
  answered_at: CreatedAt;
}

export interface ReflectionAnswer {
  question: string;
  answer: string;
}

/** One step of an action's escalation, as the sweep took it (see migrations/2026_12_01_1500_create_escalation.ts). */
export interface EscalationStepTable {
  id: Generated<string>;
  action_id: number;
  stage: number;
  target: "reminder" | "owner" | "manager" | "lead";
  recipient_id: string | null;
  no_manager: ColumnType<boolean, boolean | undefined, boolean>;
  place: "channel" | "person";
  action_due_at: Date;
  due_at: Date;
  status: ColumnType<"sent" | "acted", "sent" | "acted" | undefined, "sent" | "acted">;
  message_key: string;
  outcome: string | null;
  created_at: CreatedAt;
}
