import type { PhysicalHarm, PsychologicalHarm } from "../domain/harm.ts";
import type {
  EventType,
  ExternalNotification,
  Incident,
  IncidentDraft,
  IncidentStatus,
  LearningResponse,
} from "../domain/incident.ts";
import { formatIncidentRef } from "../domain/references.ts";
import type { DbOrTx } from "./database.ts";
import type { IncidentTable } from "./schema.ts";
import type { Selectable } from "kysely";

type IncidentRow = Selectable<IncidentTable>;

function toIncident(row: IncidentRow, involved: string[]): Incident {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    ref: formatIncidentRef(row.number),
    teamId: row.team_id,
    eventType: row.event_type as EventType,
    category: row.category,
    summary: row.summary,
    whatHappened: row.what_happened,
    occurredAt: row.occurred_at,
    reportedAt: row.reported_at,
    location: row.location,
    serviceUserRef: row.service_user_ref,
    ageBand: row.age_band,
    physicalHarm: row.physical_harm as PhysicalHarm,
    psychologicalHarm: row.psychological_harm as PsychologicalHarm | null,
    involved,
    immediateAction: row.immediate_action,
    notifications: row.notifications as ExternalNotification[],
    learningResponse: row.learning_response as LearningResponse,
    status: row.status as IncidentStatus,
    reporterId: row.reporter_id,
    anonymous: row.anonymous,
    restricted: row.restricted,
    lesson: row.lesson,
    closedAt: row.closed_at,
  };
}

const draftColumns = (draft: IncidentDraft, restricted: boolean) => ({
  event_type: draft.eventType,
  category: draft.category,
  summary: draft.summary,
  what_happened: draft.whatHappened,
  location: draft.location,
  service_user_ref: draft.serviceUserRef,
  age_band: draft.ageBand,
  physical_harm: draft.physicalHarm,
  psychological_harm: draft.psychologicalHarm,
  immediate_action: draft.immediateAction,
  notifications: draft.notifications,
  learning_response: draft.learningResponse,
  anonymous: draft.anonymous,
  restricted,
});

export interface NewIncident {
  workspaceId: string;
  number: number;
  teamId: number | null;
  reporterId: string;
  sourceChannelId: string | null;
  /** The platform's id for the request, so running it again finds this incident (findIncidentByRequest). */
  requestId: string | null;
  draft: IncidentDraft;
  restricted: boolean;
  occurredAt: Date;
}

/** Inserts incidents in one statement; returns them in the order given. */
export async function insertIncidents(tx: DbOrTx, incidents: readonly NewIncident[]): Promise<Incident[]> {
  const rows = await tx
    .insertInto("incident")
    .values(
      incidents.map((values) => ({
        workspace_id: values.workspaceId,
        number: values.number,
        team_id: values.teamId,
        reporter_id: values.reporterId,
        source_channel_id: values.sourceChannelId,
        request_id: values.requestId,
        occurred_at: values.occurredAt,
        ...draftColumns(values.draft, values.restricted),
      })),
    )
    .returningAll()
    .execute();
  const byNumber = new Map(rows.map((row) => [row.number, row]));
  const links = incidents.flatMap((values) =>
    [...new Set(values.draft.involved)].map((person_id) => ({ incident_id: byNumber.get(values.number)!.id, person_id })),
  );
  if (links.length > 0) await tx.insertInto("incident_person").values(links).execute();
  return incidents.map((values) => toIncident(byNumber.get(values.number)!, [...values.draft.involved]));
}

export async function updateIncidentDetails(
  tx: DbOrTx,
  id: number,
  draft: IncidentDraft,
  restricted: boolean,
  occurredAt: Date,
): Promise<void> {
  await tx
    .updateTable("incident")
    .set({ ...draftColumns(draft, restricted), occurred_at: occurredAt })
    .where("id", "=", id)
    .execute();
  await tx.deleteFrom("incident_person").where("incident_id", "=", id).execute();
  await setInvolved(tx, id, draft.involved);
}

async function setInvolved(tx: DbOrTx, incidentId: number, people: readonly string[]): Promise<void> {
  const unique = [...new Set(people)];
  if (unique.length === 0) return;
  await tx
    .insertInto("incident_person")
    .values(unique.map((person_id) => ({ incident_id: incidentId, person_id })))
    .execute();
}

/** Reads by reference number; `forUpdate` locks the row for a change in the caller's transaction. */
export async function findIncident(
  db: DbOrTx,
  workspaceId: string,
  number: number,
  options: { forUpdate?: boolean } = {},
): Promise<Incident | undefined> {
  let query = db.selectFrom("incident").selectAll().where("workspace_id", "=", workspaceId).where("number", "=", number);
  if (options.forUpdate) query = query.forUpdate();
  return withInvolved(db, await query.executeTakeFirst());
}

/** Reads by the row's id, as an action refers to its incident. */
export async function findIncidentById(db: DbOrTx, id: number): Promise<Incident | undefined> {
  return withInvolved(db, await db.selectFrom("incident").selectAll().where("id", "=", id).executeTakeFirst());
}

/** Several incidents by their rows' ids, with their people, in two statements however many: for work done in bulk. */
export async function findIncidentsByIds(db: DbOrTx, ids: readonly number[]): Promise<Incident[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("incident").selectAll().where("id", "in", ids).execute();
  const links = await db.selectFrom("incident_person").select(["incident_id", "person_id"]).where("incident_id", "in", ids).execute();
  const involved = new Map<number, string[]>();
  for (const link of links) involved.set(link.incident_id, [...(involved.get(link.incident_id) ?? []), link.person_id]);
  return rows.map((row) => toIncident(row, involved.get(row.id) ?? []));
}

/** Whether a person reported or is involved in an incident of a team other than `teamId`, whose lead speaks for them. */
export async function inOtherTeamsIncidents(db: DbOrTx, personId: string, teamId: number): Promise<boolean> {
  const row = await db
    .selectFrom("incident")
    .select("id")
    .where("team_id", "is not", null)
    .where("team_id", "!=", teamId)
    .where((eb) =>
      eb.or([
        eb("reporter_id", "=", personId),
        eb.exists(eb.selectFrom("incident_person").select("incident_person.person_id").whereRef("incident_person.incident_id", "=", "incident.id").where("incident_person.person_id", "=", personId)),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** An incident row with the people involved in it. */
async function withInvolved(db: DbOrTx, row: IncidentRow | undefined): Promise<Incident | undefined> {
  if (!row) return undefined;
  const involved = await db.selectFrom("incident_person").select("person_id").where("incident_id", "=", row.id).execute();
  return toIncident(
    row,
    involved.map((r) => r.person_id),
  );
}

/** Whether an insert failed because an incident was already logged from the same platform request. */
export function isRepeatedRequest(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  return e?.code === "23505" && (e.constraint === "incident_request" || String(e.message).includes('"incident_request"'));
}

/** The incident logged from one platform request, if that request was already run. */
export async function findIncidentByRequest(db: DbOrTx, workspaceId: string, requestId: string): Promise<Incident | undefined> {
  return withInvolved(db, await db.selectFrom("incident").selectAll().where("workspace_id", "=", workspaceId).where("request_id", "=", requestId).executeTakeFirst());
}

/** The most recent incidents of a team (or of the workspace when team is null), newest first. */
export async function listIncidents(
  db: DbOrTx,
  workspaceId: string,
  options: { teamId: number | null; statuses: readonly IncidentStatus[]; limit: number },
): Promise<Incident[]> {
  let query = db
    .selectFrom("incident")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("status", "in", options.statuses)
    .orderBy("number", "desc")
    .limit(options.limit);
  if (options.teamId !== null) query = query.where("team_id", "=", options.teamId);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom("incident_person")
    .select(["incident_id", "person_id"])
    .where(
      "incident_id",
      "in",
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((row) =>
    toIncident(
      row,
      links.filter((l) => l.incident_id === row.id).map((l) => l.person_id),
    ),
  );
}

export async function closeIncident(tx: DbOrTx, id: number, lesson: string, at: Date): Promise<void> {
  await tx.updateTable("incident").set({ status: "closed", lesson, closed_at: at }).where("id", "=", id).execute();
}

/** Takes one person off an incident's "involved" (they said they were not); returns whether they were on it. */
export async function removeInvolved(tx: DbOrTx, incidentId: number, personId: string): Promise<boolean> {
  const removed = await tx.deleteFrom("incident_person").where("incident_id", "=", incidentId).where("person_id", "=", personId).executeTakeFirst();
  return Number(removed.numDeletedRows) > 0;
}
