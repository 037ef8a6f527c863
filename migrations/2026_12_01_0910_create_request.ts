import { sql, type Kysely } from "kysely";

/**
 * Every platform request (a slash command, a button press, a form submission) that changed something, with what it
 * answered: a request run again (a retried job, a worker killed mid-way, a platform resending) finds its row and
 * answers the same, changing nothing. The row is written in the same transaction as the request's work, so it exists
 * exactly when the work was done. Rows are pruned after a day (see src/store/requests.ts). Frozen once landed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("request")
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("request_id", "text", (c) => c.notNull())
    // Null only inside the claiming transaction, before its work has answered.
    .addColumn("outcome", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("request_pkey", ["workspace_id", "request_id"])
    .execute();
  await sql`create index request_created_at on request (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("request").execute();
}
