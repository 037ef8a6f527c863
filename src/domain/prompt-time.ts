import { DateTime, Duration, IANAZone } from "luxon";
import type { WorkingHours } from "../config.ts";

/** Where and when a person may be asked: their zone, and the team's working hours there. */
export interface PromptClock {
  readonly zone: string;
  readonly workingHours: WorkingHours | "always";
}

/** What a person can put a prompt off until. */
export type Snooze = "hour" | "morning" | "week";

/** The snooze buttons, in the order they are offered. */
export const SNOOZES: readonly { readonly id: Snooze; readonly label: string }[] = [
  { id: "hour", label: "In an hour" },
  { id: "morning", label: "Tomorrow morning" },
  { id: "week", label: "Next week" },
];

// When working hours are "always" there is no start of day, so a "morning" snooze needs one of its own.
const MORNING = 9 * 60;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const FALLBACK_ZONE = "UTC";

// Fixed English names, so the same instant reads the same whatever ICU the server has ("Sep" vs "Sept").
const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A wrong zone would silently read as UTC and ask people at night, so it is refused loudly. */
// luxon checks a zone by building an Intl.DateTimeFormat each time (0.1–0.3 ms): a sweep of thousands of actions spent
// a third of its CPU there. The answer for a name never changes, so it is kept.
const validZones = new Map<string, boolean>();
function isValidZone(name: string): boolean {
  let valid = validZones.get(name);
  if (valid === undefined) validZones.set(name, (valid = IANAZone.isValidZone(name)));
  return valid;
}

function zoneNamed(name: string): IANAZone {
  if (!isValidZone(name)) throw new RangeError(`not an IANA time zone: ${name}`);
  return IANAZone.create(name);
}

/** Midnight of a local calendar day, as if the wall clock were UTC: days are counted on it without DST getting in. */
function wallDay(at: number, zone: IANAZone): DateTime {
  const local = DateTime.fromMillis(at, { zone });
  return DateTime.utc(local.year, local.month, local.day);
}

/**
 * The one instant a wall-clock time in `zone` means, so a repeated or skipped hour can never make a prompt due twice
 * or at two different times: a time that happens twice (clocks going back) is its first occurrence, and a time that
 * never happens (clocks going forward) is moved on by the gap, as Temporal's "compatible" rule does.
 */
function instantOf(wallMillis: number, zone: IANAZone): number {
  const offsets = [...new Set([-DAY, 0, DAY].map((near) => zone.offset(wallMillis + near)))];
  const fits = offsets.map((o) => wallMillis - o * MINUTE).filter((t) => zone.offset(t) * MINUTE === wallMillis - t);
  return fits.length > 0 ? Math.min(...fits) : wallMillis - Math.min(...offsets) * MINUTE;
}

/** A day (from wallDay) at `minutes` after its midnight, local wall clock: 08:00 stays 08:00 across DST. */
const dayAt = (day: DateTime, minutes: number, zone: IANAZone): number => instantOf(day.toMillis() + minutes * MINUTE, zone);

/** Prompts wait for working hours so nobody is asked to reflect on an incident at night or on their day off. */
export function intoWorkingHours(at: Date, clock: PromptClock): Date {
  const zone = zoneNamed(clock.zone);
  const hours = clock.workingHours;
  if (hours === "always") return at;
  const t = at.getTime();
  const today = wallDay(t, zone);
  // Eight days reach every weekday once more, even when today's hours are already over.
  for (let i = 0; i <= 7; i++) {
    const day = today.plus({ days: i });
    if (!hours.days.includes(day.weekday)) continue;
    if (t < dayAt(day, hours.end, zone)) return new Date(Math.max(t, dayAt(day, hours.start, zone)));
  }
  throw new RangeError(`working hours name no day of the week: ${JSON.stringify(hours.days)}`);
}

/**
 * Days, weeks and months are counted on the person's calendar (P1D is the same time tomorrow, even across DST) while
 * hours and smaller are real elapsed time, as luxon does; the result is then held back until working hours.
 */
export function promptDueAt(from: Date, offset: Duration, clock: PromptClock): Date {
  const zone = zoneNamed(clock.zone);
  if (!offset.isValid) throw new RangeError(`not a valid duration: ${offset.invalidExplanation ?? offset.invalidReason}`);
  const { years, quarters, months, weeks, days, hours, minutes, seconds, milliseconds } = offset.toObject();
  const calendar = Duration.fromObject({ years, quarters, months, weeks, days });
  const elapsed = Duration.fromObject({ hours, minutes, seconds, milliseconds }).toMillis();
  let t = from.getTime();
  if (calendar.toMillis() !== 0) {
    // Re-read the moved wall clock with instantOf, so a landing in the repeated hour is the same instant whichever side of the change `from` was.
    const moved = DateTime.fromMillis(t, { zone }).plus(calendar);
    t = instantOf(moved.toMillis() + moved.offset * MINUTE, zone);
  }
  return intoWorkingHours(new Date(t + elapsed), clock);
}

/** A snoozed prompt comes back at a time the person can act on it, never outside working hours. */
export function snoozeUntil(choice: Snooze, now: Date, clock: PromptClock): Date {
  const zone = zoneNamed(clock.zone);
  const t = now.getTime();
  const start = clock.workingHours === "always" ? MORNING : clock.workingHours.start;
  const today = wallDay(t, zone);
  switch (choice) {
    case "hour":
      return intoWorkingHours(new Date(t + 60 * MINUTE), clock);
    case "morning":
      return intoWorkingHours(new Date(dayAt(today.plus({ days: 1 }), start, zone)), clock);
    case "week":
      // Monday of the next ISO week: 8 - weekday is 7 on a Monday and 1 on a Sunday.
      return intoWorkingHours(new Date(dayAt(today.plus({ days: 8 - today.weekday }), start, zone)), clock);
  }
}

/** A person's own zone when the platform knows it, else the team's, else the configured one; UTC only if all are broken. */
export function zoneFor(...candidates: (string | null | undefined)[]): string {
  return candidates.find((zone): zone is string => typeof zone === "string" && isValidZone(zone)) ?? FALLBACK_ZONE;
}

/** People are told when they will be asked in their own wall-clock time ("Mon 2 Nov, 09:00"), not in UTC. */
export function localTime(at: Date, zone: string): string {
  const local = DateTime.fromMillis(at.getTime(), { zone: zoneNamed(zone) });
  const hh = String(local.hour).padStart(2, "0");
  const mm = String(local.minute).padStart(2, "0");
  return `${WEEKDAY_NAMES[local.weekday - 1]} ${local.day} ${MONTH_NAMES[local.month - 1]}, ${hh}:${mm}`;
}
