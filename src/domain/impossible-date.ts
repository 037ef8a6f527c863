import { DateTime, Info } from "luxon";

// Dates written in numbers: year-month-day, and day/month or day/month/year the UK way round.
const YEAR_FIRST = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/;
const DAY_FIRST = /\b(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?\b/;

// A time with its offset from UTC, as an ISO date and time ends: 00:00:00+01:00, 09:30-0500.
const OFFSET = /\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-])(\d{2}):?(\d{2})\b/;

// A date typed without a year is checked against a leap year, as 29/02 may yet come.
const SOME_LEAP_YEAR = 2028;

/**
 * What makes a date written in numbers impossible ("there is no month 13", "there is no 30 February 2026"), or
 * undefined if it is a real date. chrono reads 2027-13-01 as 13 January and finds nothing in 31/04, so a slip in
 * the numbers would be guessed at or called unreadable; this names it instead.
 */
export function impossibleDate(text: string): string | undefined {
  const offset = OFFSET.exec(text);
  // Offsets in use run from -12:00 to +14:00; chrono reads +99:00 as a shift of four days.
  if (offset && (Number(offset[2]) > 14 || Number(offset[3]) > 59)) {
    return `there is no offset from UTC of ${offset[1]}${offset[2]}:${offset[3]} (they run from -12:00 to +14:00)`;
  }
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) return problemWith(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]), "year-month-day, e.g. 2026-12-01");
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) {
    const year = dayFirst[3] === undefined ? undefined : Number(dayFirst[3].length === 2 ? `20${dayFirst[3]}` : dayFirst[3]);
    return problemWith(year, Number(dayFirst[2]), Number(dayFirst[1]), "day/month/year, e.g. 01/12/2026");
  }
  return undefined;
}

function problemWith(year: number | undefined, month: number, day: number, order: string): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month} (dates go ${order})`;
  if (DateTime.fromObject({ year: year ?? SOME_LEAP_YEAR, month, day }).isValid) return undefined;
  return `there is no ${day} ${Info.months("long", { locale: "en-GB" })[month - 1]}${year === undefined ? "" : ` ${year}`}`;
}
