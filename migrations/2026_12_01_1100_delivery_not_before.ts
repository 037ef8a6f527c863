import type { Kysely } from "kysely";

/**
 * A delivery may wait until a time (a reflection prompt a day after an incident): the queue holds its job until then,
 * and the worker never sends it before. Null means as soon as possible, as every row so far. Frozen once landed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("delivery").addColumn("not_before", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("delivery").dropColumn("not_before").execute();
}
