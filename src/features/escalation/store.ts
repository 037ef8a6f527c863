import type { DbOrTx } from "../../store/database.ts";
import type { EscalationStepTable } from "../../store/schema.ts";

export type StepTarget = EscalationStepTable["target"];
export type StepPlace = EscalationStepTable["place"];

/** One step of an action's climb as the sweep took it. */
export interface Step {
  readonly id: string;
  readonly actionId: number;
  readonly stage: number;
  readonly target: StepTarget;
  readonly recipientId: string | null;
  readonly noManager: boolean;
  readonly place: StepPlace;
  readonly dueAt: Date;
  readonly messageKey: string;
  readonly outcome: string | null;
}

export interface NewStep {
  readonly actionId: number;
  readonly stage: number;
  readonly target: StepTarget;
  readonly recipientId: string | null;
  readonly noManager: boolean;
  readonly place: StepPlace;
  readonly actionDueAt: Date;
  readonly dueAt: Date;
  readonly messageKey: string;
}

/**
 * Records steps taken; a step already taken for the same action, due time and stage is skipped (a sweep that ran
 * twice). Returns the action ids whose steps this call recorded: only those get a message.
 */
export async function insertSteps(db: DbOrTx, steps: readonly NewStep[]): Promise<Set<number>> {
  if (steps.length === 0) return new Set();
  const rows = await db
    .insertInto("escalation_step")
    .values(
      steps.map((s) => ({
        action_id: s.actionId,
        stage: s.stage,
        target: s.target,
        recipient_id: s.recipientId,
        no_manager: s.noManager,
        place: s.place,
        action_due_at: s.actionDueAt,
        due_at: s.dueAt,
        message_key: s.messageKey,
      })),
    )
    .onConflict((oc) => oc.columns(["action_id", "action_due_at", "stage"]).doNothing())
    .returning("action_id")
    .execute();
  return new Set(rows.map((r) => r.action_id));
}

/** The steps one message carried, in the order it listed them. */
export async function stepsCarriedBy(db: DbOrTx, messageKey: string): Promise<Step[]> {
  const rows = await db.selectFrom("escalation_step").selectAll().where("message_key", "=", messageKey).orderBy("id").execute();
  return rows.map((r) => ({
    id: String(r.id),
    actionId: r.action_id,
    stage: r.stage,
    target: r.target,
    recipientId: r.recipient_id,
    noManager: r.no_manager,
    place: r.place,
    dueAt: r.due_at,
    messageKey: r.message_key,
    outcome: r.outcome,
  }));
}

/**
 * What someone did about an action, on the steps that told of it: those of its current due time, and any earlier one
 * not yet said again (so an extension is shown once on the old round's messages, which then rest). `channelOnly` keeps a
 * nudge off the owner's own messages. Returns the messages those steps are in.
 */
export async function recordStepOutcome(
  db: DbOrTx,
  action: { id: number; dueAt: Date },
  outcome: string,
  options: { channelOnly?: boolean } = {},
): Promise<string[]> {
  let query = db
    .updateTable("escalation_step")
    .set({ status: "acted", outcome })
    .where("action_id", "=", action.id)
    .where((eb) => eb.or([eb("action_due_at", "=", action.dueAt), eb("status", "=", "sent")]));
  if (options.channelOnly) query = query.where("place", "=", "channel");
  const rows = await query.returning("message_key").execute();
  return [...new Set(rows.map((r) => r.message_key))];
}

/** Whether this round's manager step already went to the lead (no manager set): the lead's own step would repeat it. */
export async function leadAlreadyTold(db: DbOrTx, actionId: number, actionDueAt: Date, leadId: string): Promise<boolean> {
  const row = await db
    .selectFrom("escalation_step")
    .select("id")
    .where("action_id", "=", actionId)
    .where("action_due_at", "=", actionDueAt)
    .where("target", "=", "manager")
    .where("recipient_id", "=", leadId)
    .executeTakeFirst();
  return row !== undefined;
}
