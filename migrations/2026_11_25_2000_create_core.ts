import { sql, type Kysely } from "kysely";

/** Workspaces, team spaces, people, incidents and the append-only audit log. Frozen once landed. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("workspace")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("platform", "text", (c) => c.notNull())
    .addColumn("next_incident_no", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("next_action_no", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("team")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspace.id"))
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("lead_id", "text")
    .addColumn("settings", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("team_channel_unique", ["workspace_id", "channel_id"])
    .execute();

  await db.schema
    .createTable("person")
    // Workspace-qualified platform id, e.g. "slack:T1:U1": stable and never reused across workspaces.
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspace.id"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("time_zone", "text")
    .addColumn("manager_id", "text", (c) => c.references("person.id"))
    .addColumn("team_id", "integer", (c) => c.references("team.id"))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("incident")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspace.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("team_id", "integer", (c) => c.references("team.id"))
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("what_happened", "text")
    .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
    .addColumn("reported_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("location", "text")
    .addColumn("service_user_ref", "text")
    .addColumn("age_band", "text")
    .addColumn("physical_harm", "text", (c) => c.notNull())
    .addColumn("psychological_harm", "text")
    .addColumn("immediate_action", "text")
    .addColumn("notifications", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("learning_response", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open"))
    .addColumn("reporter_id", "text", (c) => c.notNull().references("person.id"))
    .addColumn("anonymous", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("restricted", "boolean", (c) => c.notNull())
    .addColumn("source_channel_id", "text")
    .addColumn("lesson", "text")
    .addColumn("closed_at", "timestamptz")
    .addUniqueConstraint("incident_number_unique", ["workspace_id", "number"])
    .execute();

  await db.schema
    .createTable("incident_person")
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incident.id").onDelete("cascade"))
    .addColumn("person_id", "text", (c) => c.notNull().references("person.id"))
    .addPrimaryKeyConstraint("incident_person_pk", ["incident_id", "person_id"])
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("audit_log_subject").on("audit_log").columns(["workspace_id", "subject"]).execute();

  // Append-only: the database itself refuses to change or remove history.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_no_change before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("audit_log").execute();
  await sql`drop function if exists audit_log_append_only()`.execute(db);
  await db.schema.dropTable("incident_person").execute();
  await db.schema.dropTable("incident").execute();
  await db.schema.dropTable("person").execute();
  await db.schema.dropTable("team").execute();
  await db.schema.dropTable("workspace").execute();
}
