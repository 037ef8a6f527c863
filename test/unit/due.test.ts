import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUE_IN_PAST, DUE_MISSING, parseDue } from "../../src/domain/due.ts";

const LONDON = "Europe/London";

/** Reads a phrase and returns the instant as ISO, or the problem, so a table can say both. */
function read(phrase: string, now: string, zone = LONDON): string {
  const reading = parseDue(phrase, { now: new Date(now), zone });
  return reading.ok ? reading.dueAt.toISOString() : `problem: ${reading.problem}`;
}

// Wednesday 25 November 2026, 10:00 in London (GMT, so UTC too).
const WED = "2026-11-25T10:00:00Z";

describe("reading a due phrase", () => {
  it.each([
    ["by 2026-12-01", "2026-12-01T17:00:00.000Z"],
    ["2026-12-01", "2026-12-01T17:00:00.000Z"],
    ["by friday", "2026-11-27T17:00:00.000Z"],
    ["friday", "2026-11-27T17:00:00.000Z"],
    ["By Friday", "2026-11-27T17:00:00.000Z"],
    ["in 3 days", "2026-11-28T17:00:00.000Z"],
    ["in three days", "2026-11-28T17:00:00.000Z"],
    ["in a week", "2026-12-02T17:00:00.000Z"],
    ["in 2 weeks", "2026-12-09T17:00:00.000Z"],
    ["in 1 month", "2026-12-25T17:00:00.000Z"],
    ["in 3 hours", "2026-11-25T13:00:00.000Z"],
    ["in 90 minutes", "2026-11-25T11:30:00.000Z"],
    ["tomorrow", "2026-11-26T17:00:00.000Z"],
    ["tomorrow 5pm", "2026-11-26T17:00:00.000Z"],
    ["tomorrow at 9am", "2026-11-26T09:00:00.000Z"],
    ["tomorrow 09:30", "2026-11-26T09:30:00.000Z"],
    ["today 5pm", "2026-11-25T17:00:00.000Z"],
    ["today", "2026-11-25T17:00:00.000Z"],
    ["next monday", "2026-11-30T17:00:00.000Z"],
    ["by next monday 10am", "2026-11-30T10:00:00.000Z"],
    ["friday 3pm", "2026-11-27T15:00:00.000Z"],
    ["2026-12-01T14:30", "2026-12-01T14:30:00.000Z"],
    ["2026-12-01 14:30", "2026-12-01T14:30:00.000Z"],
    ["2026-12-01T14:30:00Z", "2026-12-01T14:30:00.000Z"],
    ["2026-12-01T14:30+01:00", "2026-12-01T13:30:00.000Z"],
  ])("%s on a Wednesday morning is %s", (phrase, expected) => {
    expect(read(phrase, WED)).toBe(expected);
  });

  it("reads day/month the UK way round", () => {
    expect(read("01/12/2026", WED)).toBe("2026-12-01T17:00:00.000Z");
    expect(read("by 2/12", WED)).toBe("2026-12-02T17:00:00.000Z");
  });

  it("takes a weekday typed on that day as today, while the working day lasts", () => {
    expect(read("by wednesday", WED)).toBe("2026-11-25T17:00:00.000Z");
    expect(read("by wednesday", "2026-11-25T17:30:00Z")).toBe(`problem: ${DUE_IN_PAST}`);
  });

  it("keeps 'tonight' and other times of day as chrono reads them", () => {
    expect(read("tonight", WED)).toBe("2026-11-25T22:00:00.000Z");
    expect(read("tomorrow noon", WED)).toBe("2026-11-26T12:00:00.000Z");
  });

  it("reads the end of the day as today at 17:00", () => {
    expect(read("by end of day", WED)).toBe("2026-11-25T17:00:00.000Z");
    expect(read("eod", WED)).toBe("2026-11-25T17:00:00.000Z");
  });

  it.each([
    ["yesterday"],
    ["today 9am"],
    ["2026-11-01"],
    ["2026-11-25T09:59"],
    ["by monday 2025-11-24"],
  ])("says %s is in the past", (phrase) => {
    expect(read(phrase, WED)).toBe(`problem: ${DUE_IN_PAST}`);
  });

  it.each([["frday"], ["soon"], ["friday or monday"], ["friday-ish afternoonish"], ["whenever"], ["in 99999999999 years"]])(
    "says it could not read %s, and echoes it",
    (phrase) => {
      const reading = parseDue(phrase, { now: new Date(WED), zone: LONDON });
      expect(reading).toEqual({ ok: false, problem: expect.stringContaining(`\`${phrase}\``) });
      expect(reading.ok || reading.problem).toMatch(/by friday, in 3 days, tomorrow 5pm or 2026-12-01/);
    },
  );

  it("asks for a date when there is none", () => {
    expect(read("", WED)).toBe(`problem: ${DUE_MISSING}`);
    expect(read("  by ", WED)).toBe(`problem: ${DUE_MISSING}`);
  });

  it("refuses a zone that is not an IANA zone, as that is a bug in the caller", () => {
    expect(() => parseDue("friday", { now: new Date(WED), zone: "Mars/Olympus" })).toThrow(RangeError);
  });

  it("reads the person's own zone", () => {
    // 10:00 UTC is 05:00 in New York: "today 5pm" there is 22:00 UTC.
    expect(read("today 5pm", WED, "America/New_York")).toBe("2026-11-25T22:00:00.000Z");
    expect(read("by friday", WED, "Asia/Kolkata")).toBe("2026-11-27T11:30:00.000Z");
    // 10:00 UTC is already midnight on Thursday in Kiritimati (UTC+14), so "today" there is Thursday.
    expect(read("today", WED, "Pacific/Kiritimati")).toBe("2026-11-26T03:00:00.000Z");
    expect(read("tomorrow", WED, "Pacific/Auckland")).toBe("2026-11-26T04:00:00.000Z");
  });
});

// Friday 27 November 2026, 10:00 in London.
const FRI = "2026-11-27T10:00:00Z";
const PAST = `problem: ${DUE_IN_PAST}`;

describe("a date that has gone is refused as past, never moved to next week or next year", () => {
  it.each([
    ["last friday"],
    ["by last friday"],
    ["past friday"],
    ["last monday"],
    ["yesterday"],
    ["last week"],
    ["2 days ago"],
    ["by 26/11"], // yesterday, typed without a year: a slip, not next November
    ["26 november"],
    ["by 1 nov"], // earlier this month
    ["by 27/09"], // two months ago to the day: still a slip
    ["2026-11-26"],
    ["26/11/2026"],
    ["today 9am"],
  ])("%s, typed on Friday 27 November, is in the past", (phrase) => {
    expect(read(phrase, FRI)).toBe(PAST);
  });

  it("says so with examples of what it can read", () => {
    expect(DUE_IN_PAST).toBe("That's in the past — when should it be done by? e.g. by friday, in 3 days, tomorrow 5pm or 2026-12-01.");
  });
});

describe("a day without a date is the coming one", () => {
  it.each([
    ["friday", FRI, "2026-11-27T17:00:00.000Z"], // today, while the working day lasts
    ["thursday", FRI, "2026-12-03T17:00:00.000Z"],
    ["by monday", FRI, "2026-11-30T17:00:00.000Z"],
    ["this thursday", FRI, "2026-12-03T17:00:00.000Z"],
    ["friday", "2026-11-28T10:00:00Z", "2026-12-04T17:00:00.000Z"], // on the Saturday: not yesterday
    ["thursday 3pm", "2026-11-28T10:00:00Z", "2026-12-03T15:00:00.000Z"],
  ])("%s typed at %s is %s", (phrase, now, expected) => {
    expect(read(phrase, now)).toBe(expected);
  });
});

describe("a date without a year", () => {
  it.each([
    ["1 dec", FRI, "2026-12-01T17:00:00.000Z"],
    ["by 27/11", FRI, "2026-11-27T17:00:00.000Z"], // today
    ["by 2/12", FRI, "2026-12-02T17:00:00.000Z"],
  ])("%s typed at %s is this year's, still to come: %s", (phrase, now, expected) => {
    expect(read(phrase, now)).toBe(expected);
  });

  it.each([
    ["by 3 january", WED, "2027-01-03T17:00:00.000Z"],
    ["15/01", "2026-12-01T10:00:00Z", "2027-01-15T17:00:00.000Z"],
    ["by 26/09", FRI, "2027-09-26T16:00:00.000Z"], // 17:00 BST
  ])("%s typed at %s is next year's, as this year's went more than two months ago: %s", (phrase, now, expected) => {
    expect(read(phrase, now)).toBe(expected);
  });
});

describe("an impossible date", () => {
  const EXAMPLES = "Try by friday, in 3 days, tomorrow 5pm or 2026-12-01.";
  it.each([
    ["by 2027-13-01", "`by 2027-13-01` isn't a date: there is no month 13 (dates go year-month-day, e.g. 2026-12-01)."],
    ["2026-02-30", "`2026-02-30` isn't a date: there is no 30 February 2026."],
    ["2027-02-29", "`2027-02-29` isn't a date: there is no 29 February 2027."],
    ["31/04/2027", "`31/04/2027` isn't a date: there is no 31 April 2027."],
    ["by 31/04", "`by 31/04` isn't a date: there is no 31 April."],
    ["12/31/2026", "`12/31/2026` isn't a date: there is no month 31 (dates go day/month/year, e.g. 01/12/2026)."],
    ["0/12", "`0/12` isn't a date: there is no 0 December."],
    ["by 2027-01-01T00:00:00+99:00", "`by 2027-01-01T00:00:00+99:00` isn't a date: there is no offset from UTC of +99:00 (they run from -12:00 to +14:00)."],
  ])("%s is refused, saying what is wrong with it", (phrase, problem) => {
    expect(read(phrase, WED)).toBe(`problem: ${problem} ${EXAMPLES}`);
  });

  it("reads a time with a real offset from UTC", () => {
    expect(read("by 2026-12-03T09:00:00+01:00", WED)).toBe("2026-12-03T08:00:00.000Z");
  });

  it("is not confused with a real one", () => {
    expect(read("2028-02-29", WED)).toBe("problem: That's more than a year ahead: a due date can be at most a year away, so Thu 25 Nov 2027 at the latest. When should it be done by?");
    expect(read("29/02/2028", "2027-12-01T10:00:00Z")).toBe("2028-02-29T17:00:00.000Z");
    expect(read("30/04/2027", WED)).toBe("2027-04-30T16:00:00.000Z"); // BST by then
  });
});

describe("midnight and noon", () => {
  it.each([
    ["by midnight", WED, "2026-11-26T00:00:00.000Z"], // the end of today
    ["midnight", WED, "2026-11-26T00:00:00.000Z"],
    ["midnight tonight", WED, "2026-11-26T00:00:00.000Z"],
    ["by 12am", WED, "2026-11-26T00:00:00.000Z"],
    ["friday midnight", WED, "2026-11-28T00:00:00.000Z"], // Friday night
    ["tomorrow midnight", WED, "2026-11-27T00:00:00.000Z"],
    ["by noon", WED, "2026-11-25T12:00:00.000Z"],
    ["by noon", "2026-11-25T13:00:00Z", "2026-11-26T12:00:00.000Z"], // today's noon has gone: the coming one
    ["12:00", "2026-11-25T13:00:00Z", "2026-11-26T12:00:00.000Z"],
    ["5pm", "2026-11-25T18:00:00Z", "2026-11-26T17:00:00.000Z"],
    ["by midnight", "2026-11-25T23:59:00Z", "2026-11-26T00:00:00.000Z"],
  ])("%s typed at %s is the coming one, %s", (phrase, now, expected) => {
    expect(read(phrase, now)).toBe(expected);
  });

  it("still refuses today's noon once it has gone, when today is said", () => {
    expect(read("today noon", "2026-11-25T13:00:00Z")).toBe(PAST);
  });
});

describe("at most a year ahead", () => {
  const TOO_FAR = "problem: That's more than a year ahead: a due date can be at most a year away, so Thu 25 Nov 2027 at the latest. When should it be done by?";

  it.each([["in 100000 years"], ["by 9999-12-31"], ["in 2 years"], ["2027-11-26"], ["in 9999 months"], ["26/11/2027"]])(
    "%s is refused, naming the limit",
    (phrase) => {
      expect(read(phrase, WED)).toBe(TOO_FAR);
    },
  );

  it.each([
    ["in a year", "2027-11-25T17:00:00.000Z"],
    ["in 12 months", "2027-11-25T17:00:00.000Z"],
    ["2027-11-25", "2027-11-25T17:00:00.000Z"],
    ["2027-11-25T23:59", "2027-11-25T23:59:00.000Z"],
  ])("%s is the furthest it goes, so is kept: %s", (phrase, expected) => {
    expect(read(phrase, WED)).toBe(expected);
  });
});

// British Summer Time ends at 01:00 UTC on Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT.
describe("across the end of British Summer Time", () => {
  const SAT_MORNING = "2026-10-24T09:00:00Z"; // Sat 10:00 BST

  it.each([
    ["today 5pm", "2026-10-24T16:00:00.000Z"], // still BST
    ["today", "2026-10-24T16:00:00.000Z"],
    ["tomorrow 5pm", "2026-10-25T17:00:00.000Z"], // GMT by then: 17:00 on the clock, not 16:00 or 18:00
    ["tomorrow", "2026-10-25T17:00:00.000Z"],
    ["by monday", "2026-10-26T17:00:00.000Z"],
    ["in 3 days", "2026-10-27T17:00:00.000Z"],
    ["in a day", "2026-10-25T17:00:00.000Z"],
    ["in 24 hours", "2026-10-25T09:00:00.000Z"], // real elapsed time: 09:00 GMT on the clock
    ["2026-10-26", "2026-10-26T17:00:00.000Z"],
    ["2026-10-26T09:00", "2026-10-26T09:00:00.000Z"],
  ])("%s on the Saturday before is %s", (phrase, expected) => {
    expect(read(phrase, SAT_MORNING)).toBe(expected);
  });

  it("reads 'today' after midnight but before the change as the Sunday", () => {
    const sundayBst = "2026-10-24T23:30:00Z"; // Sun 00:30 BST
    expect(read("today 5pm", sundayBst)).toBe("2026-10-25T17:00:00.000Z");
    expect(read("tomorrow", sundayBst)).toBe("2026-10-26T17:00:00.000Z");
    expect(read("by saturday", sundayBst)).toBe("2026-10-31T17:00:00.000Z");
  });

  it("counts hours as real time through the repeated hour", () => {
    const firstOneThirty = "2026-10-25T00:30:00Z"; // 01:30 BST, the first time round
    expect(read("in 1 hour", firstOneThirty)).toBe("2026-10-25T01:30:00.000Z"); // 01:30 GMT, the second time round
    expect(read("in 2 hours", firstOneThirty)).toBe("2026-10-25T02:30:00.000Z");
    expect(read("today 5pm", firstOneThirty)).toBe("2026-10-25T17:00:00.000Z");
  });

  it("reads past, coming and limit phrases by the clock on the day they name", () => {
    expect(read("by midnight", SAT_MORNING)).toBe("2026-10-24T23:00:00.000Z"); // 00:00 BST on the Sunday
    expect(read("sunday midnight", SAT_MORNING)).toBe("2026-10-26T00:00:00.000Z"); // 00:00 GMT on the Monday
    expect(read("by noon", "2026-10-25T09:00:00Z")).toBe("2026-10-25T12:00:00.000Z"); // GMT since 01:00
    expect(read("noon", "2026-10-24T12:00:00Z")).toBe("2026-10-25T12:00:00.000Z"); // 13:00 BST now: Sunday's, in GMT
    expect(read("friday", SAT_MORNING)).toBe("2026-10-30T17:00:00.000Z");
    expect(read("last saturday", SAT_MORNING)).toBe(`problem: ${DUE_IN_PAST}`);
    expect(read("last friday", "2026-10-26T09:00:00Z")).toBe(`problem: ${DUE_IN_PAST}`);
    expect(read("by 24/10", "2026-10-25T09:00:00Z")).toBe(`problem: ${DUE_IN_PAST}`);
    expect(read("in a year", SAT_MORNING)).toBe("2027-10-24T16:00:00.000Z"); // BST again by then
    expect(read("2027-10-24T23:30", SAT_MORNING)).toBe("2027-10-24T22:30:00.000Z");
    expect(read("2027-10-25", SAT_MORNING)).toMatch(/^problem: That's more than a year ahead.*Sun 24 Oct 2027 at the latest/);
  });

  it("ends the Saturday before the clocks go forward at midnight GMT", () => {
    expect(read("by midnight", "2026-03-28T12:00:00Z")).toBe("2026-03-29T00:00:00.000Z");
    expect(read("tomorrow midnight", "2026-03-28T12:00:00Z")).toBe("2026-03-29T23:00:00.000Z"); // 00:00 BST on the Monday
  });

  it("places a date in winter from a summer day at 17:00 GMT", () => {
    expect(read("by 2026-11-02", "2026-10-20T12:00:00Z")).toBe("2026-11-02T17:00:00.000Z");
    expect(read("next monday", "2026-10-22T12:00:00Z")).toBe("2026-10-26T17:00:00.000Z");
  });

  it("moves a time the clocks skip in spring to the hour after", () => {
    // 01:30 on Sunday 29 March 2026 never happens in London: clocks go from 01:00 GMT to 02:00 BST.
    expect(read("2026-03-29T01:30", "2026-03-27T12:00:00Z")).toBe("2026-03-29T01:30:00.000Z");
    expect(read("2026-03-29", "2026-03-27T12:00:00Z")).toBe("2026-03-29T16:00:00.000Z");
  });
});

// chrono does its arithmetic on the server's own clock; the reading must not depend on where the server is.
describe.each([
  ["UTC", 0],
  ["America/New_York", 300],
  ["Australia/Sydney", -660],
  ["Asia/Kathmandu", -345],
])("on a server in %s", (serverZone, januaryOffset) => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = serverZone;
  });
  afterAll(() => {
    process.env.TZ = saved;
  });

  it("reads the same instants as anywhere else", () => {
    expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).toBe(januaryOffset); // the server's zone did change
    expect(read("tomorrow 5pm", "2026-10-24T09:00:00Z")).toBe("2026-10-25T17:00:00.000Z");
    expect(read("by monday", "2026-10-24T09:00:00Z")).toBe("2026-10-26T17:00:00.000Z");
    expect(read("today 5pm", "2026-10-24T23:30:00Z")).toBe("2026-10-25T17:00:00.000Z");
    expect(read("in 3 days", "2026-10-24T09:00:00Z")).toBe("2026-10-27T17:00:00.000Z");
    expect(read("in 3 hours", "2026-10-25T00:30:00Z")).toBe("2026-10-25T03:30:00.000Z");
    expect(read("next monday", WED)).toBe("2026-11-30T17:00:00.000Z");
    // New York leaves DST a week after London, on 1 November.
    expect(read("by monday", "2026-10-31T12:00:00Z")).toBe("2026-11-02T17:00:00.000Z");
    expect(read("2026-12-01T14:30", WED)).toBe("2026-12-01T14:30:00.000Z");
  });
});
