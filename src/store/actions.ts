import type { Action, ActionStatus } from "../domain/action.ts";
import type { Incident } from "../domain/incident.ts";
import { formatActionRef, formatIncidentRef } from "../domain/references.ts";
import type { DbOrTx } from "./database.ts";
import { findIncidentById } from "./incidents.ts";

type ActionRow = {
  id: number;
  workspace_id: string;
  number: number;
  incident_id: number;
  incident_number: number;
  title: string;
  owner_id: string;
  due_at: Date;
  status: ActionStatus;
  done_note: string | null;
  done_at: Date | null;
  created_by: string;
  created_at: Date;
  owner_extended_at: Date | null;
};

function toAction(row: ActionRow): Action {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    ref: formatActionRef(row.number),
    incidentId: row.incident_id,
    incidentRef: formatIncidentRef(row.incident_number),
    title: row.title,
    ownerId: row.owner_id,
    dueAt: row.due_at,
    status: row.status,
    doneNote: row.done_note,
    doneAt: row.done_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    ownerExtendedAt: row.owner_extended_at,
  };
}

const COLUMNS = [
  "action.id",
  "action.workspace_id",
  "action.number",
  "action.incident_id",
  "incident.number as incident_number",
  "action.title",
  "action.owner_id",
  "action.due_at",
  "action.status",
  "action.done_note",
  "action.done_at",
  "action.created_by",
  "action.created_at",
  "action.owner_extended_at",
] as const;

const withIncident = (db: DbOrTx) => db.selectFrom("action").innerJoin("incident", "incident.id", "action.incident_id").select(COLUMNS);

export async function insertAction(
  tx: DbOrTx,
  values: { workspaceId: string; number: number; incident: Incident; title: string; ownerId: string; dueAt: Date; createdBy: string },
): Promise<Action> {
  const { id } = await tx
    .insertInto("action")
    .values({
      workspace_id: values.workspaceId,
      number: values.number,
      incident_id: values.incident.id,
      title: values.title,
      owner_id: values.ownerId,
      due_at: values.dueAt,
      created_by: values.createdBy,
      // The escalation sweep first looks at an action when it falls due.
      next_step_at: values.dueAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const action = await findActionById(tx, id);
  if (!action) throw new Error(`action ${id} vanished as it was added`);
  return action;
}

async function findActionById(db: DbOrTx, id: number): Promise<Action | undefined> {
  const row = await withIncident(db).where("action.id", "=", id).executeTakeFirst();
  return row && toAction(row);
}

/** Reads by reference number; `forUpdate` locks the action (not its incident) for a change in the caller's transaction. */
export async function findAction(
  db: DbOrTx,
  workspaceId: string,
  number: number,
  options: { forUpdate?: boolean } = {},
): Promise<Action | undefined> {
  let query = withIncident(db).where("action.workspace_id", "=", workspaceId).where("action.number", "=", number);
  if (options.forUpdate) query = query.forUpdate("action");
  const row = await query.executeTakeFirst();
  return row && toAction(row);
}

export async function findActionIncident(db: DbOrTx, action: Action): Promise<Incident> {
  const incident = await findIncidentById(db, action.incidentId);
  if (!incident) throw new Error(`incident of ${action.ref} vanished`);
  return incident;
}

/** A person's open actions, soonest due first; `total` counts them all when there are more than `limit`. */
export async function listOpenActions(db: DbOrTx, ownerId: string, limit: number): Promise<{ actions: Action[]; total: number }> {
  const rows = await withIncident(db)
    .where("action.owner_id", "=", ownerId)
    .where("action.status", "=", "open")
    .orderBy("action.due_at")
    .orderBy("action.number")
    .limit(limit)
    .execute();
  let total = rows.length;
  if (rows.length === limit) {
    const counted = await db
      .selectFrom("action")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("owner_id", "=", ownerId)
      .where("status", "=", "open")
      .executeTakeFirstOrThrow();
    total = Number(counted.n);
  }
  return { actions: rows.map(toAction), total };
}

export async function markActionDone(tx: DbOrTx, id: number, note: string | null, at: Date): Promise<void> {
  // Done work leaves the sweep's index.
  await tx.updateTable("action").set({ status: "done", done_note: note, done_at: at, next_step_at: null }).where("id", "=", id).execute();
}

/** A new owner starts the escalation ladder again from the due time, with their own one move of it. */
export async function setActionOwner(tx: DbOrTx, id: number, ownerId: string, dueAt: Date): Promise<void> {
  await tx
    .updateTable("action")
    .set({ owner_id: ownerId, next_step_at: dueAt, escalation_step: 0, owner_extended_at: null })
    .where("id", "=", id)
    .execute();
}

/** A new due time starts the escalation ladder again from it; `ownerExtendedAt` records the owner using their one move. */
export async function setActionDue(tx: DbOrTx, id: number, dueAt: Date, ownerExtendedAt: Date | null): Promise<void> {
  await tx
    .updateTable("action")
    .set({ due_at: dueAt, next_step_at: dueAt, escalation_step: 0, ...(ownerExtendedAt ? { owner_extended_at: ownerExtendedAt } : {}) })
    .where("id", "=", id)
    .execute();
}
