import { sql, type Kysely } from "kysely";

/**
 * Reflection prompts and the answers to them (issue 8). A prompt row exists, with the time of its next step, before any
 * job is queued for it: Redis holds only the index, so a flush loses nothing. Answers live apart from prompts, keyed by
 * prompt, and are read only by their author. Frozen once landed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("reflection_prompt")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspace.id"))
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incident.id"))
    .addColumn("person_id", "text", (c) => c.notNull().references("person.id"))
    // Which of the incident's prompts this is (0: the first), and how many there are, to name "2 of 3".
    .addColumn("step", "smallint", (c) => c.notNull())
    .addColumn("steps", "smallint", (c) => c.notNull())
    .addColumn("question_set", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("scheduled").check(sql`status in ('scheduled', 'sent', 'answered', 'expired', 'withdrawn')`))
    // When it was first due, in working hours; kept for the record and the export.
    .addColumn("due_at", "timestamptz", (c) => c.notNull())
    // When its job next acts (send, remind, or expire); null once answered, expired or withdrawn.
    .addColumn("next_at", "timestamptz")
    .addColumn("reminders", "smallint", (c) => c.notNull().defaultTo(0))
    // Put off by its person ("remind me later"): its next step asks again rather than counting as a reminder.
    .addColumn("snoozed", "boolean", (c) => c.notNull().defaultTo(false))
    // The delivery that last carried it, so answering can change that message.
    .addColumn("message_key", "text")
    .addColumn("sent_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("reflection_prompt_once", ["incident_id", "person_id", "step"])
    .execute();
  // What is due: the prompt job's lookups and the reconcile job read only live prompts.
  await sql`create index reflection_prompt_next on reflection_prompt (next_at) where next_at is not null`.execute(db);
  await db.schema.createIndex("reflection_prompt_person").on("reflection_prompt").columns(["person_id", "status"]).execute();
  // The prompts one message carried, read when one is answered: without it, a scan of every prompt ever planned.
  await db.schema.createIndex("reflection_prompt_message").on("reflection_prompt").column("message_key").execute();

  await db.schema
    .createTable("reflection")
    .addColumn("prompt_id", "bigint", (c) => c.primaryKey().references("reflection_prompt.id"))
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspace.id"))
    .addColumn("author_id", "text", (c) => c.notNull().references("person.id"))
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incident.id"))
    .addColumn("question_set", "text", (c) => c.notNull())
    // [{ question, answer }], the questions as they were asked.
    .addColumn("answers", "jsonb", (c) => c.notNull())
    .addColumn("lesson", "text")
    .addColumn("lesson_named", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("cpd", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("answered_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("reflection_author").on("reflection").columns(["author_id", "answered_at"]).execute();

  // When a person was last sent a prompt or reminder: nobody gets more than one per PROMPT_MIN_GAP.
  await db.schema.alterTable("person").addColumn("last_prompted_at", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("person").dropColumn("last_prompted_at").execute();
  await db.schema.dropTable("reflection").execute();
  await db.schema.dropTable("reflection_prompt").execute();
}
