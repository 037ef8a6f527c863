import { sql, type Kysely } from "kysely";

/** Follow-up actions on incidents, with the columns the escalation sweep will work from. Frozen once landed. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("action")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspace.id"))
    // … per workspace, taken from workspace.next_action_no.
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incident.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("owner_id", "text", (c) => c.notNull().references("person.id"))
    .addColumn("due_at", "timestamptz", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open").check(sql`status in ('open', 'done')`))
    .addColumn("done_note", "text")
    .addColumn("done_at", "timestamptz")
    .addColumn("created_by", "text", (c) => c.notNull().references("person.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // The owner may move their own due date once; after that it takes their manager or the lead.
    .addColumn("owner_extended_at", "timestamptz")
    // When the escalation sweep next looks at this action, and how far up the ladder it has gone.
    .addColumn("next_step_at", "timestamptz")
    .addColumn("escalation_step", "integer", (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint("action_number_unique", ["workspace_id", "number"])
    .execute();
  // The sweep reads only what is open and due, so its cost grows with what is due, not with what exists.
  await sql`create index action_next_step on action (next_step_at) where status = 'open'`.execute(db);
  // /action list: one person's open actions, soonest due first.
  await sql`create index action_owner_open on action (owner_id, due_at) where status = 'open'`.execute(db);
  await db.schema.createIndex("action_incident").on("action").column("incident_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("action").execute();
}
