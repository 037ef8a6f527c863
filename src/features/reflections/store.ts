import { sql, type Selectable } from "kysely";
import type { DbOrTx } from "../../store/database.ts";
import type { PromptStatus, ReflectionAnswer, ReflectionPromptTable } from "../../store/schema.ts";

/** A reflection prompt as the feature reads it: whose, for which incident, and where it stands. */
export interface Prompt {
  readonly id: string;
  readonly workspaceId: string;
  readonly incidentId: number;
  readonly personId: string;
  /** 0 for the first prompt after an incident. */
  readonly step: number;
  readonly steps: number;
  readonly questionSet: string;
  readonly status: PromptStatus;
  readonly dueAt: Date;
  /** When its job next acts; null once it is finished. */
  readonly nextAt: Date | null;
  readonly reminders: number;
  readonly snoozed: boolean;
  readonly messageKey: string | null;
  readonly sentAt: Date | null;
}

export type { PromptStatus, ReflectionAnswer };

/** Prompts still waiting for an answer or for their time. */
export const LIVE: readonly PromptStatus[] = ["scheduled", "sent"];

const toPrompt = (row: Selectable<ReflectionPromptTable>): Prompt => ({
  id: String(row.id),
  workspaceId: row.workspace_id,
  incidentId: row.incident_id,
  personId: row.person_id,
  step: row.step,
  steps: row.steps,
  questionSet: row.question_set,
  status: row.status,
  dueAt: row.due_at,
  nextAt: row.next_at,
  reminders: row.reminders,
  snoozed: row.snoozed,
  messageKey: row.message_key,
  sentAt: row.sent_at,
});

export interface NewPrompt {
  readonly workspaceId: string;
  readonly incidentId: number;
  readonly personId: string;
  readonly step: number;
  readonly steps: number;
  readonly questionSet: string;
  readonly dueAt: Date;
}

/** Records prompts; one already recorded for the same incident, person and step is kept as it is. Returns new ids. */
export async function insertPrompts(db: DbOrTx, prompts: readonly NewPrompt[]): Promise<string[]> {
  if (prompts.length === 0) return [];
  const rows = await db
    .insertInto("reflection_prompt")
    .values(
      prompts.map((p) => ({
        workspace_id: p.workspaceId,
        incident_id: p.incidentId,
        person_id: p.personId,
        step: p.step,
        steps: p.steps,
        question_set: p.questionSet,
        due_at: p.dueAt,
        next_at: p.dueAt,
      })),
    )
    .onConflict((oc) => oc.columns(["incident_id", "person_id", "step"]).doNothing())
    .returning("id")
    .execute();
  return rows.map((r) => String(r.id));
}

export async function findPrompt(db: DbOrTx, id: string, options: { forUpdate?: boolean } = {}): Promise<Prompt | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  let query = db.selectFrom("reflection_prompt").selectAll().where("id", "=", id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toPrompt(row);
}

/** Every live prompt of these people, soonest first, locked for the caller's change (their person rows are locked first). */
export async function livePromptsOf(db: DbOrTx, personIds: readonly string[]): Promise<Prompt[]> {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom("reflection_prompt")
    .selectAll()
    .where("person_id", "in", personIds)
    .where("status", "in", LIVE)
    .orderBy("next_at")
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map(toPrompt);
}

/** The prompts one message carried, in the order it listed them. */
export async function promptsCarriedBy(db: DbOrTx, messageKey: string): Promise<Prompt[]> {
  const rows = await db.selectFrom("reflection_prompt").selectAll().where("message_key", "=", messageKey).orderBy("id").execute();
  return rows.map(toPrompt);
}

/** One person's prompts in the given states, soonest first. */
export async function promptsOf(db: DbOrTx, personId: string, statuses: readonly PromptStatus[]): Promise<Prompt[]> {
  const rows = await db
    .selectFrom("reflection_prompt")
    .selectAll()
    .where("person_id", "=", personId)
    .where("status", "in", statuses)
    .orderBy("due_at")
    .orderBy("id")
    .execute();
  return rows.map(toPrompt);
}

/** One person's live prompts for one incident, locked. */
export async function livePromptsFor(db: DbOrTx, incidentId: number, personId: string): Promise<Prompt[]> {
  const rows = await db
    .selectFrom("reflection_prompt")
    .selectAll()
    .where("incident_id", "=", incidentId)
    .where("person_id", "=", personId)
    .where("status", "in", LIVE)
    .forUpdate()
    .execute();
  return rows.map(toPrompt);
}

/** Every live prompt's id, for reconcile: its job is queued again unless it is already there. */
export async function livePromptIds(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectFrom("reflection_prompt").select("id").where("next_at", "is not", null).orderBy("next_at").execute();
  return rows.map((r) => String(r.id));
}

/** When each live prompt's job should next run; finished ones are left out. */
export async function nextTimes(db: DbOrTx, ids: readonly string[]): Promise<Map<string, Date>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("reflection_prompt").select(["id", "next_at"]).where("id", "in", ids).where("next_at", "is not", null).execute();
  return new Map(rows.map((r) => [String(r.id), r.next_at!]));
}

/** A prompt sent (or sent again) in the message `messageKey`; `reminded` counts it as a reminder. */
export interface PromptSent {
  readonly id: string;
  readonly messageKey: string;
  readonly nextAt: Date;
  readonly reminded: boolean;
}

/** Marks prompts sent at `at`, however many, in one statement. */
export async function markPromptsSent(db: DbOrTx, sent: readonly PromptSent[], at: Date): Promise<void> {
  if (sent.length === 0) return;
  const values = sql.join(sent.map((p) => sql`(${p.id}::bigint, ${p.messageKey}::text, ${p.nextAt}::timestamptz, ${p.reminded ? 1 : 0}::int)`));
  await sql`
    update reflection_prompt as p
    set status = 'sent', message_key = v.message_key, sent_at = coalesce(p.sent_at, ${at}::timestamptz),
        next_at = v.next_at, snoozed = false, reminders = p.reminders + v.reminded
    from (values ${values}) as v (id, message_key, next_at, reminded)
    where p.id = v.id`.execute(db);
}

/** Moves a live prompt's next step; `snoozed` when its person put it off. */
export async function movePrompt(db: DbOrTx, id: string, nextAt: Date, snoozed?: boolean): Promise<void> {
  await db
    .updateTable("reflection_prompt")
    .set({ next_at: nextAt, ...(snoozed === undefined ? {} : { snoozed }) })
    .where("id", "=", id)
    .where("status", "in", LIVE)
    .execute();
}

/** Answered, expired or withdrawn: nothing more is sent for it. */
export async function finishPrompt(db: DbOrTx, id: string, status: Exclude<PromptStatus, "scheduled" | "sent">, at: Date): Promise<void> {
  await db.updateTable("reflection_prompt").set({ status, next_at: null, finished_at: at }).where("id", "=", id).execute();
}

/** The last time a person was sent a prompt or reminder; locks them, so two workers never prompt one person at once. */
export async function lockLastPrompted(db: DbOrTx, personId: string): Promise<Date | null | undefined> {
  const row = await db.selectFrom("person").select("last_prompted_at").where("id", "=", personId).forUpdate().executeTakeFirst();
  return row ? row.last_prompted_at : undefined;
}

/**
 * Up to `limit` more people with a prompt due by `now`, soonest first, locked like `lockLastPrompted` but only where
 * nobody else holds them: a run never waits for another run's people, it leaves them to it.
 */
export async function lockOthersWithPromptsDue(
  db: DbOrTx,
  now: Date,
  limit: number,
  besides: string,
): Promise<{ id: string; lastPromptedAt: Date | null }[]> {
  // The inner limit keeps the read short when thousands are due; enough rows to find `limit` people in most cases.
  const due = db
    .selectFrom("reflection_prompt")
    .select("person_id")
    .where("next_at", "<=", now)
    .where("status", "in", LIVE)
    .where("person_id", "<>", besides)
    .orderBy("next_at")
    .limit(limit * 4);
  const rows = await db
    .selectFrom("person")
    .select(["id", "last_prompted_at"])
    .where("id", "in", due)
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({ id: r.id, lastPromptedAt: r.last_prompted_at }));
}

export async function setLastPrompted(db: DbOrTx, personIds: readonly string[], at: Date): Promise<void> {
  if (personIds.length === 0) return;
  await db.updateTable("person").set({ last_prompted_at: at }).where("id", "in", personIds).execute();
}

// ── answers ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** One person's answers to one prompt. Read only through `reflectionsBy`, which takes the author. */
export interface Reflection {
  readonly promptId: string;
  readonly incidentId: number;
  readonly questionSet: string;
  readonly answers: readonly ReflectionAnswer[];
  readonly lesson: string | null;
  readonly lessonNamed: boolean;
  readonly cpd: boolean;
  readonly answeredAt: Date;
}

export interface NewReflection {
  readonly promptId: string;
  readonly workspaceId: string;
  readonly authorId: string;
  readonly incidentId: number;
  readonly questionSet: string;
  readonly answers: readonly ReflectionAnswer[];
  readonly lesson: string | null;
  readonly lessonNamed: boolean;
  readonly cpd: boolean;
  readonly answeredAt: Date;
}

export async function insertReflection(db: DbOrTx, r: NewReflection): Promise<void> {
  await db
    .insertInto("reflection")
    .values({
      prompt_id: r.promptId,
      workspace_id: r.workspaceId,
      author_id: r.authorId,
      incident_id: r.incidentId,
      question_set: r.questionSet,
      answers: JSON.stringify(r.answers),
      lesson: r.lesson,
      lesson_named: r.lessonNamed,
      cpd: r.cpd,
      answered_at: r.answeredAt,
    })
    .execute();
}

/**
 * The only way answers are read: by their author, about their own prompts. Nothing takes a viewer who is someone
 * else, so no manager, lead or admin path can reach them.
 */
export async function reflectionsBy(db: DbOrTx, authorId: string): Promise<(Reflection & { step: number; steps: number })[]> {
  const rows = await db
    .selectFrom("reflection")
    .innerJoin("reflection_prompt", "reflection_prompt.id", "reflection.prompt_id")
    .select([
      "reflection.prompt_id",
      "reflection.incident_id",
      "reflection.question_set",
      "reflection.answers",
      "reflection.lesson",
      "reflection.lesson_named",
      "reflection.cpd",
      "reflection.answered_at",
      "reflection_prompt.step",
      "reflection_prompt.steps",
    ])
    .where("reflection.author_id", "=", authorId)
    .where("reflection_prompt.person_id", "=", authorId)
    .orderBy("reflection.incident_id")
    .orderBy("reflection_prompt.step")
    .execute();
  return rows.map((r) => ({
    promptId: String(r.prompt_id),
    incidentId: r.incident_id,
    questionSet: r.question_set,
    answers: r.answers,
    lesson: r.lesson,
    lessonNamed: r.lesson_named,
    cpd: r.cpd,
    answeredAt: r.answered_at,
    step: r.step,
    steps: r.steps,
  }));
}

/** A shared lesson, for the lead to post: the lesson and whether its author chose to be named, nothing else. */
export async function sharedLesson(db: DbOrTx, promptId: string): Promise<{ lesson: string; named: boolean; authorId: string; incidentId: number } | undefined> {
  if (!/^\d{1,18}$/.test(promptId)) return undefined;
  const row = await db
    .selectFrom("reflection")
    .select(["lesson", "lesson_named", "author_id", "incident_id"])
    .where("prompt_id", "=", promptId)
    .where("lesson", "is not", null)
    .executeTakeFirst();
  return row?.lesson ? { lesson: row.lesson, named: row.lesson_named, authorId: row.author_id, incidentId: row.incident_id } : undefined;
}
