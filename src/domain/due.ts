import * as chrono from "chrono-node";
import { DateTime, IANAZone, type DurationLikeObject } from "luxon";

/** When an action is due, read from what a person typed, or what was wrong with it. */
export type DueReading = { ok: true; dueAt: Date } | { ok: false; problem: string };

export interface DueContext {
  now: Date;
  /** The IANA zone of the person who typed the phrase: "friday" and "5pm" are their Friday and their 5pm. */
  zone: string;
}

/** A date without a time means the end of the working day. */
export const END_OF_WORKING_DAY = { hour: 17, minute: 0 } as const;

const EXAMPLES = "by friday, in 3 days, tomorrow 5pm or 2026-12-01";
export const DUE_MISSING = `When is it due? e.g. ${EXAMPLES}.`;
export const DUE_IN_PAST = "That's in the past — when should it be done by?";

const unreadable = (phrase: string): DueReading => ({
  ok: false,
  problem: `I couldn't read \`${phrase.replace(/`/g, "'")}\` as a date. Try ${EXAMPLES}.`,
});

// Words around a date that say nothing about when: "by friday", "due on 2026-12-01", "before tomorrow at 5pm".
const FILLER = /\b(no later than|by|before|due|on|at|the|end of)\b|[,.]/g;

// "in 3 days", "within an hour", "2 weeks from now": read here, not by chrono, because chrono adds durations on
// the server's own clock; luxon adds days in the person's zone and hours as real elapsed time, so DST cannot skew either.
const RELATIVE = /^(?:in|within)\s+(a|an|\d{1,4})\s+(minute|hour|day|week|month)s?$|^(a|an|\d{1,4})\s+(minute|hour|day|week|month)s?\s+from now$/;

// Common ways to say "the end of today" that chrono does not know.
const END_OF_TODAY = /^(end of (the )?day|eod|cob|close of (business|play))$/;

// Casual times of day chrono gives an hour for without being told one ("tonight" is 22:00): keep those hours.
const CASUAL_TIME = /^casualReference\/(morning|afternoon|evening|tonight|noon|midnight)$/;

/**
 * Reads a due phrase ("by 2026-12-01", "by friday", "in 3 days", "tomorrow 5pm", "next monday", an ISO date-time)
 * in the person's zone. Day names and dates come from chrono (en-GB, so 01/12 is 1 December); the wall-clock time is
 * then placed in the zone with luxon, so a date across a DST change still means 17:00 there.
 */
export function parseDue(phrase: string, { now, zone }: DueContext): DueReading {
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`not an IANA time zone: ${zone}`);
  const typed = phrase.trim();
  const text = typed.toLowerCase().replace(/\s+/g, " ").replace(/^(no later than|by|before|due( on| by)?) /, "");
  if (text === "" || text === "by") return { ok: false, problem: DUE_MISSING };

  const dueAt = readRelative(text, now, zone) ?? (END_OF_TODAY.test(text) ? endOfWorkingDay(now, zone, 0) : readDate(text, now, zone));
  if (!dueAt) return unreadable(typed);
  if (dueAt.getTime() <= now.getTime()) return { ok: false, problem: DUE_IN_PAST };
  return { ok: true, dueAt };
}

function readRelative(text: string, now: Date, zone: string): Date | undefined {
  const m = RELATIVE.exec(text);
  if (!m) return undefined;
  const amountWord = m[1] ?? m[3] ?? "";
  const unit = (m[2] ?? m[4]) as "minute" | "hour" | "day" | "week" | "month";
  const amount = amountWord === "a" || amountWord === "an" ? 1 : Number(amountWord);
  if (unit === "minute" || unit === "hour") return new Date(now.getTime() + amount * (unit === "hour" ? 3_600_000 : 60_000));
  // "In 3 days" names a day, not a moment: the end of that working day, like any other date without a time.
  const day = DateTime.fromJSDate(now, { zone }).plus({ [`${unit}s`]: amount } as DurationLikeObject);
  return day.set({ ...END_OF_WORKING_DAY, second: 0, millisecond: 0 }).toJSDate();
}

function endOfWorkingDay(now: Date, zone: string, days: number): Date {
  return DateTime.fromJSDate(now, { zone }).plus({ days }).set({ ...END_OF_WORKING_DAY, second: 0, millisecond: 0 }).toJSDate();
}

function readDate(text: string, now: Date, zone: string): Date | null {
  // Measured from the start of the person's today, so "friday" typed on a Friday afternoon is today (then judged
  // against the clock below) rather than chrono's "next Friday, as noon has passed".
  const startOfDay = DateTime.fromJSDate(now, { zone }).startOf("day");
  const reference = { instant: startOfDay.toJSDate(), timezone: startOfDay.offset };
  const results = chrono.en.GB.parse(text, reference, { forwardDate: true });
  const [found] = results;
  if (!found || results.length > 1) return null;
  // Every word must be part of the date or filler, so "friday or monday" or "friday-ish" is asked about, not guessed.
  const rest = (text.slice(0, found.index) + " " + text.slice(found.index + found.text.length)).replace(FILLER, " ").trim();
  if (rest !== "") return null;

  const start = found.start;
  // An ISO date-time with Z or an offset names an instant already.
  if (start.isCertain("timezoneOffset")) return start.date();
  // "3 hours from now" and the like: elapsed time from now, not from the start of the day.
  if (start.tags().has("result/relativeDateAndTime")) {
    return chrono.en.GB.parse(text, { instant: now, timezone: DateTime.fromJSDate(now, { zone }).offset }, { forwardDate: true })[0]?.date() ?? null;
  }
  const timeGiven = start.isCertain("hour") || [...start.tags()].some((t) => CASUAL_TIME.test(t));
  const wallClock = DateTime.fromObject(
    {
      year: start.get("year") ?? undefined,
      month: start.get("month") ?? undefined,
      day: start.get("day") ?? undefined,
      ...(timeGiven ? { hour: start.get("hour") ?? 0, minute: start.get("minute") ?? 0 } : END_OF_WORKING_DAY),
    },
    { zone },
  );
  return wallClock.isValid ? wallClock.toJSDate() : null;
}
