import { sql, type Kysely } from "kysely";

/**
 * The platform request an incident was logged from, so a queued command that runs twice (a worker died after it
 * committed, and the job was retried) finds its incident instead of logging a second one. Frozen once landed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("incident").addColumn("request_id", "text").execute();
  await sql`create unique index incident_request on incident (workspace_id, request_id) where request_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index incident_request`.execute(db);
  await db.schema.alterTable("incident").dropColumn("request_id").execute();
}
