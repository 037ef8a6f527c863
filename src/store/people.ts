import type { Selectable } from "kysely";
import type { PersonRef } from "../ports.ts";
import type { DbOrTx } from "./database.ts";
import type { PersonTable } from "./schema.ts";
import { personKey, personRefOf, workspaceKey } from "./keys.ts";

export interface Person {
  id: string;
  ref: PersonRef;
  displayName: string;
  timeZone: string | null;
  managerId: string | null;
  teamId: number | null;
}

type PersonRow = Selectable<PersonTable>;

const toPerson = (row: PersonRow): Person => ({
  id: row.id,
  ref: personRefOf(row),
  displayName: row.display_name,
  timeZone: row.time_zone,
  managerId: row.manager_id,
  teamId: row.team_id,
});

/** `forUpdate` locks the person for a change in the caller's transaction. */
export async function findPerson(
  db: DbOrTx,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<(Person & { updatedAt: Date }) | undefined> {
  let query = db.selectFrom("person").selectAll().where("id", "=", id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && { ...toPerson(row), updatedAt: row.updated_at };
}

export async function findPeople(db: DbOrTx, ids: readonly string[]): Promise<Person[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("person").selectAll().where("id", "in", ids).execute();
  return rows.map(toPerson);
}

/** Creates the person or refreshes their profile; reporting line and team are kept. */
export async function savePerson(
  db: DbOrTx,
  ref: PersonRef,
  profile: { displayName: string; timeZone: string | null },
): Promise<Person> {
  const row = await db
    .insertInto("person")
    .values({
      id: personKey(ref),
      workspace_id: workspaceKey(ref.platform, ref.workspaceId),
      user_id: ref.userId,
      display_name: profile.displayName,
      time_zone: profile.timeZone,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({ display_name: profile.displayName, time_zone: profile.timeZone, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPerson(row);
}

export async function setManager(db: DbOrTx, personId: string, managerId: string): Promise<void> {
  await db.updateTable("person").set({ manager_id: managerId }).where("id", "=", personId).execute();
}

export async function setHomeTeam(db: DbOrTx, personId: string, teamId: number): Promise<void> {
  await db.updateTable("person").set({ team_id: teamId }).where("id", "=", personId).execute();
}
