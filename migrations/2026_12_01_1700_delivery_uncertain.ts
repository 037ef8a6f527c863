import type { Kysely } from "kysely";

/**
 * A delivery whose last send may or may not have reached the platform (its worker died mid-send) says since when:
 * the claim of that send. Before sending again the worker looks for the message there, tagged with the delivery's key,
 * from a little before that time. Null, as every row so far, means no send of it is in doubt.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("delivery").addColumn("uncertain_since", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("delivery").dropColumn("uncertain_since").execute();
}
