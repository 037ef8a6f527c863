import { sql, type Kysely } from "kysely";

/**
 * The escalation ladder (issue 9). Each step the sweep takes is a row: which stage of the ladder, whom it went to,
 * where, when it was due, and the message that carried it, so "what happened" can be shown and that message changed.
 * Actions may be cancelled, with a reason. Frozen once landed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table action drop constraint action_status_check`.execute(db);
  await sql`alter table action add constraint action_status_check check (status in ('open', 'done', 'cancelled'))`.execute(db);
  await db.schema.alterTable("action").addColumn("cancel_reason", "text").execute();

  await db.schema
    .createTable("escalation_step")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("action_id", "integer", (c) => c.notNull().references("action.id"))
    // 0: the reminder before the due time; 1…n: the ladder's steps.
    .addColumn("stage", "smallint", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull().check(sql`target in ('reminder', 'owner', 'manager', 'lead')`))
    // Who was asked to act; null when nobody holds the role (no lead): the channel is told so.
    .addColumn("recipient_id", "text", (c) => c.references("person.id"))
    // A manager's step that went to the lead because the owner had no manager set (the message says how to set one).
    .addColumn("no_manager", "boolean", (c) => c.notNull().defaultTo(false))
    // Posted in the team's channel, or sent by direct message.
    .addColumn("place", "text", (c) => c.notNull().check(sql`place in ('channel', 'person')`))
    // The action's due time when the step was taken: an extension starts the ladder again from a new one.
    .addColumn("action_due_at", "timestamptz", (c) => c.notNull())
    .addColumn("due_at", "timestamptz", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("sent").check(sql`status in ('sent', 'acted')`))
    .addColumn("message_key", "text", (c) => c.notNull())
    // What someone did from the message ("done", "extended", …), shown when the message is said again.
    .addColumn("outcome", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("escalation_step_once", ["action_id", "action_due_at", "stage"])
    .execute();
  await db.schema.createIndex("escalation_step_message").on("escalation_step").column("message_key").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("escalation_step").execute();
  await db.schema.alterTable("action").dropColumn("cancel_reason").execute();
  await sql`alter table action drop constraint action_status_check`.execute(db);
  await sql`alter table action add constraint action_status_check check (status in ('open', 'done'))`.execute(db);
}
