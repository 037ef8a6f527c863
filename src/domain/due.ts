import * as chrono from "chrono-node";
import { DateTime, IANAZone, type DurationLikeObject } from "luxon";
import { impossibleDate } from "./impossible-date.ts";
import { overLimit } from "./text.ts";

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
export const DUE_IN_PAST = `That's in the past — when should it be done by? e.g. ${EXAMPLES}.`;

/** Room for "next monday 10am" or an ISO date-time with an offset, and no essays: the forms stop a phrase here too. */
export const DUE_PHRASE_MAX = 60;

/** The furthest ahead a due date may be: one further off never reaches the escalation ladder, so the action is lost. */
export const LATEST_DUE = { years: 1 } as const;

/**
 * A date typed without a year ("26/11", "1 dec") is this year's. If that passed no longer ago than this, it was a
 * slip and is refused as past; if it passed longer ago, the person means next year's: "15/01" typed in December is
 * the coming January, but "26/11" typed on 27 November is yesterday, not a year away.
 */
export const YEARLESS_SLIP = { months: 2 } as const;

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

// chrono's words for the weekday before this one: "last friday" is in the past, never the coming Friday.
const PAST_WEEKDAY = /\b(last|past)\b/;

/**
 * Reads a due phrase ("by 2026-12-01", "by friday", "in 3 days", "tomorrow 5pm", "next monday", an ISO date-time)
 * in the person's zone. Day names and dates come from chrono (en-GB, so 01/12 is 1 December); the wall-clock time is
 * then placed in the zone with luxon, so a date across a DST change still means 17:00 there. A day that has gone is
 * refused as past, never moved on a week or a year; an impossible date, or one more than LATEST_DUE ahead, is refused.
 */
export function parseDue(phrase: string, { now, zone }: DueContext): DueReading {
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`not an IANA time zone: ${zone}`);
  const typed = phrase.trim();
  // Said without the phrase: a long one would fill the reply, and the reply gives back what was typed anyway.
  const tooLong = overLimit("the due date", typed, DUE_PHRASE_MAX);
  if (tooLong) return { ok: false, problem: `${tooLong} Say when in a few words, e.g. ${EXAMPLES}.` };
  const text = typed.toLowerCase().replace(/\s+/g, " ").replace(/^(no later than|by|before|due( on| by)?) /, "");
  if (text === "" || text === "by") return { ok: false, problem: DUE_MISSING };

  const impossible = impossibleDate(text);
  if (impossible) return { ok: false, problem: `\`${typed.replace(/`/g, "'")}\` isn't a date: ${impossible}. Try ${EXAMPLES}.` };

  const dueAt = readRelative(text, now, zone) ?? (END_OF_TODAY.test(text) ? endOfWorkingDay(now, zone, 0) : readDate(text, now, zone));
  // An absurd phrase ("in 99999999999 years") can come out as no instant at all.
  if (!dueAt || Number.isNaN(dueAt.getTime())) return unreadable(typed);
  if (dueAt.getTime() <= now.getTime()) return { ok: false, problem: DUE_IN_PAST };
  const latest = endOfDayAfter(now, LATEST_DUE, zone);
  if (dueAt.getTime() > latest.getTime()) {
    return {
      ok: false,
      problem: `That's more than a year ahead: a due date can be at most a year away, so ${dayLabel(latest, zone, now)} at the latest. When should it be done by?`,
    };
  }
  return { ok: true, dueAt };
}

/** The end of the day, in the zone, that is `after` from `from`: limits are whole days, so DST cannot clip an hour. */
export function endOfDayAfter(from: Date, after: DurationLikeObject, zone: string): Date {
  return DateTime.fromJSDate(from, { zone }).plus(after).endOf("day").toJSDate();
}

/** "Fri 25 Dec" in the zone, with the year when it is not this year: for naming a limit. */
export function dayLabel(at: Date, zone: string, now: Date): string {
  const day = DateTime.fromJSDate(at, { zone });
  return day.toFormat(day.year === DateTime.fromJSDate(now, { zone }).year ? "ccc d LLL" : "ccc d LLL yyyy");
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
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const reference = { instant: today.toJSDate(), timezone: today.offset };
  // Not chrono's forwardDate: it moves "last friday" to next Friday and "26/11" typed on the 27th to next year.
  // meantDay below decides what a phrase that leaves the day open means, so a past one is refused as past.
  const results = chrono.en.GB.parse(text, reference);
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
    return chrono.en.GB.parse(text, { instant: now, timezone: DateTime.fromJSDate(now, { zone }).offset })[0]?.date() ?? null;
  }
  const day = meantDay(start, found.text, today);
  if (!day.isValid) return null;
  // "Midnight" ends the day it names: "by midnight" is tonight's, "friday midnight" is Friday night's.
  if (start.tags().has("casualReference/midnight")) return day.plus({ days: 1 }).startOf("day").toJSDate();

  const timeGiven = start.isCertain("hour") || [...start.tags()].some((t) => CASUAL_TIME.test(t));
  const time = timeGiven ? { hour: start.get("hour") ?? 0, minute: start.get("minute") ?? 0 } : END_OF_WORKING_DAY;
  const at = onDay(day, time);
  // A clock time alone ("by noon", "5pm") is the next time the clock shows it, tomorrow's if today's has gone.
  if (isOnlyTime(start) && start.isCertain("hour") && at.toMillis() <= now.getTime()) return onDay(day.plus({ days: 1 }), time).toJSDate();
  return at.toJSDate();
}

/** The day a phrase means, where it left part of the date open. */
function meantDay(start: chrono.ParsedComponents, matched: string, today: DateTime): DateTime {
  const named = DateTime.fromObject({ year: start.get("year") ?? undefined, month: start.get("month") ?? undefined, day: start.get("day") ?? undefined }, { zone: today.zone });
  // A bare "friday" is the coming Friday (today, on a Friday); chrono gives the nearest, which may have gone.
  if (isOnlyWeekday(start) && !PAST_WEEKDAY.test(matched) && named < today) return named.plus({ weeks: 1 });
  if (isDateWithoutYear(start)) {
    const thisYears = named.set({ year: today.year });
    return thisYears < today.minus(YEARLESS_SLIP) ? thisYears.plus({ years: 1 }) : thisYears;
  }
  return named;
}

/** A wall-clock time on a day in the zone: luxon moves a time the clocks skip to the hour after. */
const onDay = (day: DateTime, time: { hour: number; minute: number }): DateTime =>
  DateTime.fromObject({ year: day.year, month: day.month, day: day.day, ...time }, { zone: day.zone });

// What the phrase left open, from what chrono is certain of (its own helpers for these are not in its public types).
const hasDate = (start: chrono.ParsedComponents): boolean => start.isCertain("day") || start.isCertain("month") || start.isCertain("year");
const isOnlyTime = (start: chrono.ParsedComponents): boolean => !hasDate(start) && !start.isCertain("weekday");
const isOnlyWeekday = (start: chrono.ParsedComponents): boolean => !hasDate(start) && start.isCertain("weekday");
const isDateWithoutYear = (start: chrono.ParsedComponents): boolean => start.isCertain("month") && !start.isCertain("year");
