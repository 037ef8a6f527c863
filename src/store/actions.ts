import type { Action, ActionStatus } from "../domain/action.ts";
import type { Incident } from "../domain/incident.ts";
import { formatActionRef, formatIncidentRef } from "../domain/references.ts";
import { sql } from "kysely";
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
  cancel_reason: string | null;
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
    cancelReason: row.cancel_reason,
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
  "action.cancel_reason",
] as const;

const withIncident = (db: DbOrTx) => db.selectFrom("action").innerJoin("incident", "incident.id", "action.incident_id").select(COLUMNS);

export async function insertAction(
  tx: DbOrTx,
  values: { workspaceId: string; number: number; incident: Incident; title: string; ownerId: string; dueAt: Date; createdBy: string; next: NextStage | null },
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
      // The escalation sweep first looks at it at its first stage: the reminder before it is due, or the ladder.
      next_step_at: values.next?.at ?? null,
      escalation_step: values.next?.stage ?? 0,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const action = await findActionById(tx, id);
  if (!action) throw new Error(`action ${id} vanished as it was added`);
  return action;
}

export async function findActionById(db: DbOrTx, id: number): Promise<Action | undefined> {
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

/** Where an action is on the escalation ladder: the stage the sweep takes next, and when. */
export interface NextStage {
  stage: number;
  at: Date;
}

const nextColumns = (next: NextStage | null) => ({ next_step_at: next?.at ?? null, escalation_step: next?.stage ?? 0 });

/**
 * A new owner keeps the climb where it is: the action is as late as it was, and whoever was told is still owed it
 * done. They get their own one move of the due date.
 */
export async function setActionOwner(tx: DbOrTx, id: number, ownerId: string): Promise<void> {
  await tx.updateTable("action").set({ owner_id: ownerId, owner_extended_at: null }).where("id", "=", id).execute();
}

/** A new due time starts the ladder again from it; `ownerExtendedAt` records the owner using their one move. */
export async function setActionDue(tx: DbOrTx, id: number, dueAt: Date, ownerExtendedAt: Date | null, next: NextStage | null): Promise<void> {
  await tx
    .updateTable("action")
    .set({ due_at: dueAt, ...nextColumns(next), ...(ownerExtendedAt ? { owner_extended_at: ownerExtendedAt } : {}) })
    .where("id", "=", id)
    .execute();
}

/** Cancelled by a manager or the lead, with why: it leaves the sweep's index. */
export async function markActionCancelled(tx: DbOrTx, id: number, reason: string, at: Date): Promise<void> {
  await tx.updateTable("action").set({ status: "cancelled", cancel_reason: reason, done_at: at, next_step_at: null }).where("id", "=", id).execute();
}

/**
 * Moves actions on to their next stages, or (null) off the ladder's end: they stay open, and stop climbing. One
 * statement for a sweep's whole batch rather than one an action.
 */
export async function advanceActions(tx: DbOrTx, moves: readonly { id: number; next: NextStage | null }[]): Promise<void> {
  if (moves.length === 0) return;
  const rows = JSON.stringify(moves.map((m) => ({ id: m.id, stage: m.next?.stage ?? 0, at: m.next?.at.toISOString() ?? null })));
  await sql`update action set next_step_at = v.at, escalation_step = v.stage
    from jsonb_to_recordset(${rows}::jsonb) as v(id integer, stage integer, at timestamptz)
    where action.id = v.id`.execute(tx);
}

/**
 * Takes up to `limit` open actions whose next step is due, by the index, locking them; rows another sweep holds are
 * skipped, so several workers sweep together and each step is taken once. Returns them with their next stage.
 */
export async function claimDueActions(tx: DbOrTx, limit: number): Promise<(Action & { stage: number; stepAt: Date })[]> {
  const ids = await tx
    .selectFrom("action")
    .select(["id", "escalation_step", "next_step_at"])
    .where("status", "=", "open")
    .where("next_step_at", "<=", sql<Date>`now()`)
    .orderBy("next_step_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (ids.length === 0) return [];
  const rows = await withIncident(tx).where("action.id", "in", ids.map((r) => r.id)).execute();
  const byId = new Map(rows.map((r) => [r.id, toAction(r)]));
  return ids.flatMap((r) => {
    const action = byId.get(r.id);
    return action ? [{ ...action, stage: r.escalation_step, stepAt: r.next_step_at! }] : [];
  });
}

/** Actions by row id, for saying a message again as they now stand. */
export async function findActionsByIds(db: DbOrTx, ids: readonly number[]): Promise<Action[]> {
  if (ids.length === 0) return [];
  const rows = await withIncident(db).where("action.id", "in", ids).execute();
  return rows.map(toAction);
}

/** An incident's open actions, soonest due first (closing asks about them). */
export async function openActionsOf(db: DbOrTx, incidentId: number): Promise<Action[]> {
  const rows = await withIncident(db).where("action.incident_id", "=", incidentId).where("action.status", "=", "open").orderBy("action.due_at").execute();
  return rows.map(toAction);
}
