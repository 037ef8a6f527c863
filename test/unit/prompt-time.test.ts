import fc from "fast-check";
import { Duration } from "luxon";
import { describe, expect, it } from "vitest";
import type { WorkingHours } from "../../src/config.ts";
import {
  intoWorkingHours,
  localTime,
  promptDueAt,
  SNOOZES,
  snoozeUntil,
  zoneFor,
  type PromptClock,
  type Snooze,
} from "../../src/domain/prompt-time.ts";

const LONDON = "Europe/London";
const NEW_YORK = "America/New_York";
const KOLKATA = "Asia/Kolkata";

const OFFICE: WorkingHours = { days: [1, 2, 3, 4, 5], start: 8 * 60, end: 18 * 60 };
const EVERY_DAY: WorkingHours = { days: [1, 2, 3, 4, 5, 6, 7], start: 8 * 60, end: 18 * 60 };

const office = (zone: string): PromptClock => ({ zone, workingHours: OFFICE });
const always = (zone: string): PromptClock => ({ zone, workingHours: "always" });

/** When a prompt `offset` after `from` goes out, as ISO, so tables compare exact instants. */
const due = (from: string, offset: string, clock: PromptClock): string =>
  promptDueAt(new Date(from), Duration.fromISO(offset), clock).toISOString();

const into = (at: string, clock: PromptClock): string => intoWorkingHours(new Date(at), clock).toISOString();

const snooze = (choice: Snooze, now: string, clock: PromptClock): string => snoozeUntil(choice, new Date(now), clock).toISOString();

describe("a prompt waits for working hours (Mon-Fri 08:00-18:00)", () => {
  it.each([
    // Friday 27 November 2026, 17:30 local, plus an hour is after 18:00: Monday 30 November, 08:00 local.
    [LONDON, "2026-11-27T17:30:00Z", "2026-11-30T08:00:00.000Z"],
    [NEW_YORK, "2026-11-27T22:30:00Z", "2026-11-30T13:00:00.000Z"], // EST, UTC-5
    [KOLKATA, "2026-11-27T12:00:00Z", "2026-11-30T02:30:00.000Z"], // IST, UTC+5:30
  ])("an incident logged on Friday at 17:30 in %s is asked about on Monday at 08:00 there", (zone, loggedAt, expected) => {
    expect(due(loggedAt, "PT1H", office(zone))).toBe(expected);
  });

  it.each([
    ["on a Saturday, on Monday morning", "2026-11-28T10:00:00Z", "2026-11-30T08:00:00.000Z"],
    ["on a Sunday night, on Monday morning", "2026-11-29T23:59:00Z", "2026-11-30T08:00:00.000Z"],
    ["before 08:00, at 08:00 the same day", "2026-11-25T06:00:00Z", "2026-11-25T08:00:00.000Z"],
    ["at 08:00, then", "2026-11-25T08:00:00Z", "2026-11-25T08:00:00.000Z"],
    ["during the day, then", "2026-11-25T13:45:10Z", "2026-11-25T13:45:10.000Z"],
    ["at 17:59:59, then", "2026-11-25T17:59:59Z", "2026-11-25T17:59:59.000Z"],
    ["at 18:00, the next morning", "2026-11-25T18:00:00Z", "2026-11-26T08:00:00.000Z"],
  ])("one due %s", (_, at, expected) => {
    expect(into(at, office(LONDON))).toBe(expected);
  });

  it("counts the hours in the person's zone, not the server's", () => {
    // 13:00 UTC on Wednesday is 08:00 in New York and 18:30 in Kolkata.
    expect(into("2026-11-25T12:59:00Z", office(NEW_YORK))).toBe("2026-11-25T13:00:00.000Z");
    expect(into("2026-11-25T13:00:00Z", office(KOLKATA))).toBe("2026-11-26T02:30:00.000Z");
  });

  it("follows days that wrap past Sunday (Sat-Mon)", () => {
    const weekend: PromptClock = { zone: LONDON, workingHours: { days: [6, 7, 1], start: 10 * 60, end: 16 * 60 } };
    expect(into("2026-11-24T10:00:00Z", weekend)).toBe("2026-11-28T10:00:00.000Z"); // Tuesday → Saturday
    expect(into("2026-11-30T16:00:00Z", weekend)).toBe("2026-12-05T10:00:00.000Z"); // Monday after hours → Saturday
  });

  it("lets a day run to midnight when the hours end at 24:00", () => {
    const late: PromptClock = { zone: LONDON, workingHours: { days: [3], start: 20 * 60, end: 24 * 60 } };
    expect(into("2026-11-25T23:59:00Z", late)).toBe("2026-11-25T23:59:00.000Z");
    expect(into("2026-11-26T00:00:00Z", late)).toBe("2026-12-02T20:00:00.000Z");
  });

  it("goes out at once when the team works 'always'", () => {
    expect(into("2026-11-28T03:00:00Z", always(LONDON))).toBe("2026-11-28T03:00:00.000Z");
    expect(due("2026-11-27T17:30:00Z", "PT1H", always(LONDON))).toBe("2026-11-27T18:30:00.000Z");
  });

  it("refuses working hours with no day in them rather than never asking", () => {
    expect(() => into("2026-11-25T10:00:00Z", { zone: LONDON, workingHours: { days: [], start: 480, end: 1080 } })).toThrow(RangeError);
  });
});

describe("when a prompt is due", () => {
  it("adds seconds, minutes and hours as real time, as demos and tests use", () => {
    expect(due("2026-11-25T10:00:00Z", "PT10S", always(LONDON))).toBe("2026-11-25T10:00:10.000Z");
    expect(due("2026-11-25T10:00:00Z", "PT90M", office(LONDON))).toBe("2026-11-25T11:30:00.000Z");
    expect(due("2026-11-25T10:00:00Z", "P1DT2H", office(LONDON))).toBe("2026-11-26T12:00:00.000Z");
    expect(due("2026-11-25T10:00:00Z", "P1W", office(LONDON))).toBe("2026-12-02T10:00:00.000Z");
  });

  it.each([
    [LONDON, "2026-11-25T10:00:00Z", "2026-11-26T10:00:00.000Z"],
    [NEW_YORK, "2026-11-25T15:00:00Z", "2026-11-26T15:00:00.000Z"],
    [KOLKATA, "2026-11-25T04:30:00Z", "2026-11-26T04:30:00.000Z"],
  ])("P1D after 10:00 on Wednesday in %s is 10:00 on Thursday there", (zone, from, expected) => {
    expect(due(from, "P1D", office(zone))).toBe(expected);
  });

  it("refuses a zone that is not an IANA zone, or a broken duration, as those are bugs in the caller", () => {
    expect(() => due("2026-11-25T10:00:00Z", "PT1H", office("Mars/Olympus"))).toThrow(RangeError);
    expect(() => promptDueAt(new Date("2026-11-25T10:00:00Z"), Duration.fromISO("soon"), office(LONDON))).toThrow(RangeError);
  });
});

describe("DST never moves a local time, nor makes a prompt due twice", () => {
  it("keeps 10:00 local over the spring change (29 March 2026: 01:00 GMT becomes 02:00 BST)", () => {
    // Saturday 28 March 10:00 GMT + P1D: Sunday 29 March 10:00 BST.
    expect(due("2026-03-28T10:00:00Z", "P1D", always(LONDON))).toBe("2026-03-29T09:00:00.000Z");
    expect(due("2026-03-28T10:00:00Z", "P1D", { zone: LONDON, workingHours: EVERY_DAY })).toBe("2026-03-29T09:00:00.000Z");
  });

  it("keeps 10:00 local over the autumn change (25 October 2026: 02:00 BST becomes 01:00 GMT)", () => {
    // Saturday 24 October 10:00 BST + P1D: Sunday 25 October 10:00 GMT, 25 hours later.
    expect(due("2026-10-24T09:00:00Z", "P1D", always(LONDON))).toBe("2026-10-25T10:00:00.000Z");
    // PT24H is elapsed time, so it lands at 09:00 GMT: P1D is what keeps the time of day.
    expect(due("2026-10-24T09:00:00Z", "PT24H", always(LONDON))).toBe("2026-10-25T09:00:00.000Z");
  });

  it("opens working hours at 08:00 local on the Monday after each change", () => {
    // Friday 27 March 17:30 GMT + PT1H → Monday 30 March 08:00 BST.
    expect(due("2026-03-27T17:30:00Z", "PT1H", office(LONDON))).toBe("2026-03-30T07:00:00.000Z");
    // Friday 23 October 17:30 BST + PT1H → Monday 26 October 08:00 GMT.
    expect(due("2026-10-23T16:30:00Z", "PT1H", office(LONDON))).toBe("2026-10-26T08:00:00.000Z");
  });

  it("keeps the time of day over New York's changes (8 March and 1 November 2026); Kolkata has none", () => {
    expect(due("2026-03-07T15:00:00Z", "P1D", always(NEW_YORK))).toBe("2026-03-08T14:00:00.000Z"); // 10:00 EST → 10:00 EDT
    expect(due("2026-10-31T14:00:00Z", "P1D", always(NEW_YORK))).toBe("2026-11-01T15:00:00.000Z"); // 10:00 EDT → 10:00 EST
    expect(due("2026-10-24T04:30:00Z", "P1D", always(KOLKATA))).toBe("2026-10-25T04:30:00.000Z");
    expect(due("2026-03-28T04:30:00Z", "P1D", always(KOLKATA))).toBe("2026-03-29T04:30:00.000Z");
  });

  it("resolves 01:30 on 25 October, which happens twice, to its first occurrence whichever way it is reached", () => {
    // 01:30 BST on 24 October + P1D, and 01:30 GMT on 25 March + P7M: both the first 01:30, 00:30 UTC.
    expect(due("2026-10-24T00:30:00Z", "P1D", always(LONDON))).toBe("2026-10-25T00:30:00.000Z");
    expect(due("2026-03-25T01:30:00Z", "P7M", always(LONDON))).toBe("2026-10-25T00:30:00.000Z");
    // Elapsed time from inside the repeated hour is not re-read, so it never goes back an hour.
    expect(due("2026-10-25T01:30:00Z", "PT10S", always(LONDON))).toBe("2026-10-25T01:30:10.000Z");
  });

  it("moves 01:30 on 29 March, which never happens, on by the hour the clocks skip", () => {
    expect(due("2026-03-28T01:30:00Z", "P1D", always(LONDON))).toBe("2026-03-29T01:30:00.000Z"); // 02:30 BST
  });

  it("opens hours that start in the repeated hour once, at the first occurrence", () => {
    const night: PromptClock = { zone: LONDON, workingHours: { days: [7], start: 90, end: 180 } }; // Sun 01:30-03:00
    expect(into("2026-10-24T23:00:00Z", night)).toBe("2026-10-25T00:30:00.000Z");
    expect(into("2026-10-25T01:45:00Z", night)).toBe("2026-10-25T01:45:00.000Z"); // still inside: 01:45 GMT
  });

  it("gives, for any instant of 2026, a time inside the hours that is not earlier and stays put when asked again", () => {
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), fc.constantFrom(LONDON, NEW_YORK, KOLKATA), (t, zone) => {
        const clock = office(zone);
        const at = intoWorkingHours(new Date(t), clock);
        expect(at.getTime()).toBeGreaterThanOrEqual(t);
        expect(intoWorkingHours(at, clock).getTime()).toBe(at.getTime());
        const [day, time] = localTime(at, zone).split(", ");
        expect(day).toMatch(/^(Mon|Tue|Wed|Thu|Fri) /);
        expect(time! >= "08:00" && time! < "18:00").toBe(true);
      }),
    );
  });
});

describe("snoozing a prompt", () => {
  it("offers an hour, tomorrow morning and next week", () => {
    expect(SNOOZES).toEqual([
      { id: "hour", label: "In an hour" },
      { id: "morning", label: "Tomorrow morning" },
      { id: "week", label: "Next week" },
    ]);
  });

  it.each<[Snooze, string, string, string]>([
    ["hour", "on Wednesday at 10:00", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00.000Z"],
    ["hour", "on Wednesday at 17:30", "2026-11-25T17:30:00Z", "2026-11-26T08:00:00.000Z"],
    ["hour", "on Friday at 17:30", "2026-11-27T17:30:00Z", "2026-11-30T08:00:00.000Z"],
    ["morning", "on Wednesday at 10:00", "2026-11-25T10:00:00Z", "2026-11-26T08:00:00.000Z"],
    ["morning", "on Friday at 17:30", "2026-11-27T17:30:00Z", "2026-11-30T08:00:00.000Z"],
    ["morning", "on Sunday at 07:00", "2026-11-29T07:00:00Z", "2026-11-30T08:00:00.000Z"],
    ["week", "on Wednesday at 10:00", "2026-11-25T10:00:00Z", "2026-11-30T08:00:00.000Z"],
    ["week", "on Sunday night", "2026-11-29T23:30:00Z", "2026-11-30T08:00:00.000Z"],
    ["week", "on Monday at 10:00", "2026-11-30T10:00:00Z", "2026-12-07T08:00:00.000Z"],
    ["week", "on Friday 23 October, over the autumn change", "2026-10-23T16:30:00Z", "2026-10-26T08:00:00.000Z"],
    ["morning", "on Saturday 28 March, over the spring change", "2026-03-28T10:00:00Z", "2026-03-30T07:00:00.000Z"],
  ])("'%s' %s in London comes back at %s", (choice, _, now, expected) => {
    expect(snooze(choice, now, office(LONDON))).toBe(expected);
  });

  it("uses the person's own morning", () => {
    // Friday 17:30 EST → Monday 08:00 EST; Friday 17:30 IST → Monday 08:00 IST.
    expect(snooze("morning", "2026-11-27T22:30:00Z", office(NEW_YORK))).toBe("2026-11-30T13:00:00.000Z");
    expect(snooze("morning", "2026-11-27T12:00:00Z", office(KOLKATA))).toBe("2026-11-30T02:30:00.000Z");
    // 23:30 UTC on Monday is already Tuesday in Kolkata, so next week is still the coming Monday there.
    expect(snooze("week", "2026-11-30T23:30:00Z", office(KOLKATA))).toBe("2026-12-07T02:30:00.000Z");
  });

  it("comes back at 09:00 when the team works 'always'", () => {
    expect(snooze("morning", "2026-11-27T17:30:00Z", always(LONDON))).toBe("2026-11-28T09:00:00.000Z");
    expect(snooze("week", "2026-11-27T17:30:00Z", always(LONDON))).toBe("2026-11-30T09:00:00.000Z");
    expect(snooze("hour", "2026-11-28T03:00:00Z", always(LONDON))).toBe("2026-11-28T04:00:00.000Z");
  });
});

describe("which zone a person is asked in", () => {
  it.each<[(string | null | undefined)[], string]>([
    [[KOLKATA, NEW_YORK, LONDON], KOLKATA],
    [["Mars/Olympus", undefined, NEW_YORK, LONDON], NEW_YORK],
    [[null, "", LONDON], LONDON],
    [[undefined, LONDON], LONDON],
    [["not a zone", "nor this"], "UTC"],
    [[], "UTC"],
  ])("from %j it is %s", (candidates, expected) => {
    expect(zoneFor(...candidates)).toBe(expected);
  });
});

describe("telling people when they will be asked", () => {
  it.each([
    ["2026-11-02T09:00:00Z", LONDON, "Mon 2 Nov, 09:00"],
    ["2026-11-02T09:00:00Z", KOLKATA, "Mon 2 Nov, 14:30"],
    ["2026-11-02T09:00:00Z", NEW_YORK, "Mon 2 Nov, 04:00"],
    ["2026-09-07T08:00:00Z", LONDON, "Mon 7 Sep, 09:00"],
    ["2026-12-31T23:59:00Z", LONDON, "Thu 31 Dec, 23:59"],
    ["2026-10-25T00:30:00Z", LONDON, "Sun 25 Oct, 01:30"],
    ["2026-10-25T01:30:00Z", LONDON, "Sun 25 Oct, 01:30"],
  ])("%s in %s reads %s", (at, zone, expected) => {
    expect(localTime(new Date(at), zone)).toBe(expected);
  });
});
