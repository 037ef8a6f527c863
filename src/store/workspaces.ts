import type { DbOrTx } from "./database.ts";

export async function ensureWorkspace(db: DbOrTx, key: string, platform: string): Promise<void> {
  await db.insertInto("workspace").values({ id: key, platform }).onConflict((oc) => oc.column("id").doNothing()).execute();
}

/**
 * Takes the workspace's next `count` incident numbers and returns the first. The row lock serialises concurrent
 * reports, and a rolled-back transaction returns its numbers, so references are unique and gap-free.
 */
export async function takeIncidentNumbers(tx: DbOrTx, workspaceKey: string, count: number): Promise<number> {
  const row = await tx
    .updateTable("workspace")
    .set((eb) => ({ next_incident_no: eb("next_incident_no", "+", count) }))
    .where("id", "=", workspaceKey)
    .returning("next_incident_no")
    .executeTakeFirstOrThrow();
  return row.next_incident_no - count;
}

/** Takes the workspace's next action number, A-n, under the same row lock and with the same gap-free promise. */
export async function takeActionNumber(tx: DbOrTx, workspaceKey: string): Promise<number> {
  const row = await tx
    .updateTable("workspace")
    .set((eb) => ({ next_action_no: eb("next_action_no", "+", 1) }))
    .where("id", "=", workspaceKey)
    .returning("next_action_no")
    .executeTakeFirstOrThrow();
  return row.next_action_no - 1;
}
