import { sql, type Kysely } from "kysely";

/** The outbound delivery record: every message the bot sends on its own is a row before it is a job. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("delivery")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    // Names the message's purpose, e.g. "incident-12-announce": a second request for it is a no-op.
    .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
    .addColumn("platform", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("target_kind", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("view", "jsonb", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("message_channel_id", "text")
    .addColumn("message_id", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // When a worker took it for sending (database clock): reconcile finds sends a crash cut short by it.
    .addColumn("claimed_at", "timestamptz")
    .addColumn("sent_at", "timestamptz")
    .execute();
  await sql`create index delivery_pending on delivery (created_at) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("delivery").execute();
}
