import { DateTime, Duration } from "luxon";
import type { EscalationStep } from "../config.ts";
import { intoWorkingHours, promptDueAt, type PromptClock } from "./prompt-time.ts";

/**
 * When an action's escalation stages fall. Stages are numbered: 0 is the reminder before the due time, and 1..n are the
 * ladder's steps (stage i is ladder[i - 1]), each at the due time plus its own offset. Pure: the caller stores the times.
 */

/** The owner's clock (their zone and working hours) for the reminder and owner steps; the team's for channel steps. */
export interface EscalationClocks {
  readonly owner: PromptClock;
  readonly team: PromptClock;
}

/** One stage of an action's climb and when it is due. */
export interface StageTime {
  readonly stage: number;
  readonly at: Date;
}

/** The weekday (Monday = 1) of an instant on the clock's own calendar. */
const weekdayOf = (at: Date, zone: string): number => DateTime.fromJSDate(at, { zone }).weekday;

/**
 * `days` working days from `from` (negative: back), on the clock's calendar at the same local time of day, before any
 * move into working hours: whole calendar days are stepped one at a time and only those that are working days count, so
 * the day it lands on is always a working day. With "always", plain calendar days.
 */
function shiftWorkingDays(from: Date, days: number, clock: PromptClock): Date {
  // The calendar arithmetic (and its DST rule) is promptDueAt's, on a clock that never waits.
  const calendar: PromptClock = { zone: clock.zone, workingHours: "always" };
  const hours = clock.workingHours;
  if (hours === "always") return promptDueAt(from, Duration.fromObject({ days }), calendar);
  if (!hours.days.some((d) => d >= 1 && d <= 7)) {
    throw new RangeError(`working hours name no day of the week: ${JSON.stringify(hours.days)}`);
  }
  const step = Math.sign(days);
  let counted = 0;
  let moved = 0;
  let at = from;
  while (counted < Math.abs(days)) {
    moved += step;
    at = promptDueAt(from, Duration.fromObject({ days: moved }), calendar);
    if (hours.days.includes(weekdayOf(at, clock.zone))) counted++;
  }
  return at;
}

function wholeDays(days: number, name: string): void {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`${name} must be a whole number of days, 0 or more: ${days}`);
}

/**
 * The reminder before an action's due time: one working day before it (the same local time on the previous working day,
 * or the previous calendar day when working hours are "always"), then moved into working hours.
 *
 * The reminder is never later than the due time. Moving into working hours can only pass it when the day before falls
 * after that day's hours and the due time comes before the next working day starts (due Saturday 19:00 → Friday 19:00
 * → Monday 08:00); then that day is the last working day before the due time and the reminder goes at its start
 * (Friday 08:00), so the owner still has a working day to act rather than a minute of one.
 */
export function reminderAt(dueAt: Date, clock: PromptClock): Date {
  const dayBefore = shiftWorkingDays(dueAt, -1, clock);
  const asked = intoWorkingHours(dayBefore, clock);
  if (asked.getTime() <= dueAt.getTime()) return asked;
  // intoWorkingHours from that day's midnight is its start, since the day is a working day.
  const startOfDay = DateTime.fromJSDate(dayBefore, { zone: clock.zone }).startOf("day").toJSDate();
  const start = intoWorkingHours(startOfDay, clock);
  return start.getTime() <= dueAt.getTime() ? start : dueAt;
}

/** A ladder step as computed, before it is kept in order with the stages before it. */
function stepAt(dueAt: Date, step: EscalationStep, clocks: EscalationClocks, restricted: boolean): Date {
  if (step.target === "owner") return promptDueAt(dueAt, step.after, clocks.owner);
  // Manager and lead steps are posted in the team's channel: they wait for the team's hours, except a restricted
  // incident's, which do not wait (DOMAIN.md: safeguarding and notifiable events go up without delay).
  const clock: PromptClock = restricted ? { zone: clocks.team.zone, workingHours: "always" } : clocks.team;
  return promptDueAt(dueAt, step.after, clock);
}

/**
 * When stage `stage` (0 ≤ stage ≤ ladder.length) of an action due at `dueAt` falls. Stage 0 is reminderAt on the owner's
 * clock. Stage i ≥ 1 is the due time plus ladder[i - 1].after (days and longer on the calendar of the clock's zone,
 * hours and shorter as elapsed time, as promptDueAt counts), then into the owner's working hours for an owner step and
 * the team's for a manager or lead step unless `restricted`. Stages never go backwards: when working hours push an
 * earlier stage past a later one, the later one is kept at the earlier one's time, so the climb stays in order.
 */
export function stageAt(dueAt: Date, ladder: readonly EscalationStep[], stage: number, clocks: EscalationClocks, restricted: boolean): Date {
  if (!Number.isInteger(stage) || stage < 0 || stage > ladder.length) {
    throw new RangeError(`stage ${stage} is not one of 0..${ladder.length} for a ladder of ${ladder.length} steps`);
  }
  let at = reminderAt(dueAt, clocks.owner).getTime();
  for (let i = 1; i <= stage; i++) at = Math.max(at, stepAt(dueAt, ladder[i - 1]!, clocks, restricted).getTime());
  return new Date(at);
}

/**
 * The first stage to schedule for an action: the reminder while it is still ahead (strictly after `now`), otherwise the
 * first ladder step even when that is already past, since overdue work must climb. Null when the ladder is empty:
 * with no ladder an action is neither reminded nor escalated.
 */
export function firstStage(
  dueAt: Date,
  ladder: readonly EscalationStep[],
  clocks: EscalationClocks,
  restricted: boolean,
  now: Date,
): StageTime | null {
  if (ladder.length === 0) return null;
  const reminder = stageAt(dueAt, ladder, 0, clocks, restricted);
  if (reminder.getTime() > now.getTime()) return { stage: 0, at: reminder };
  return { stage: 1, at: stageAt(dueAt, ladder, 1, clocks, restricted) };
}

/** The stage after `afterStage` and when it falls (never before `afterStage`'s own time), or null past the ladder's end. */
export function nextStage(
  dueAt: Date,
  ladder: readonly EscalationStep[],
  afterStage: number,
  clocks: EscalationClocks,
  restricted: boolean,
): StageTime | null {
  if (!Number.isInteger(afterStage) || afterStage < 0) throw new RangeError(`not a stage: ${afterStage}`);
  const stage = afterStage + 1;
  return stage > ladder.length ? null : { stage, at: stageAt(dueAt, ladder, stage, clocks, restricted) };
}

/**
 * `days` working days after `from` (duty of candour: 10 working days): days that are not working days are skipped, the
 * local time of day is kept, and the result is then moved into working hours. With "always", plain calendar days.
 */
export function addWorkingDays(from: Date, days: number, clock: PromptClock): Date {
  wholeDays(days, "addWorkingDays");
  return intoWorkingHours(shiftWorkingDays(from, days, clock), clock);
}
