import fc from "fast-check";
import { Duration } from "luxon";
import { describe, expect, it } from "vitest";
import type { EscalationStep, WorkingHours } from "../../src/config.ts";
import {
  addWorkingDays,
  firstStage,
  nextStage,
  reminderAt,
  stageAt,
  type EscalationClocks,
} from "../../src/domain/escalation.ts";
import { intoWorkingHours, type PromptClock } from "../../src/domain/prompt-time.ts";

const LONDON = "Europe/London";
const NEW_YORK = "America/New_York";

const OFFICE: WorkingHours = { days: [1, 2, 3, 4, 5], start: 8 * 60, end: 18 * 60 };
const EVERY_DAY: WorkingHours = { days: [1, 2, 3, 4, 5, 6, 7], start: 8 * 60, end: 18 * 60 };

const office = (zone: string): PromptClock => ({ zone, workingHours: OFFICE });
const always = (zone: string): PromptClock => ({ zone, workingHours: "always" });
const both = (clock: PromptClock): EscalationClocks => ({ owner: clock, team: clock });

/** "PT0S:owner,P1D:manager" as ESCALATION_LADDER writes it. */
const ladder = (text: string): EscalationStep[] =>
  text.split(",").map((step) => {
    const [after, target] = step.split(":") as [string, EscalationStep["target"]];
    return { after: Duration.fromISO(after), target };
  });

const DEFAULT = ladder("PT0S:owner,P1D:manager,P3D:lead");
const SECONDS = ladder("PT0S:owner,PT20S:manager,PT40S:lead");

/** Every stage's time, reminder first, as ISO. */
const stages = (due: string, steps: readonly EscalationStep[], clocks: EscalationClocks, restricted = false): string[] =>
  Array.from({ length: steps.length + 1 }, (_, stage) => stageAt(new Date(due), steps, stage, clocks, restricted).toISOString());

const iso = (s: { stage: number; at: Date } | null) => (s ? { stage: s.stage, at: s.at.toISOString() } : null);

describe("the default ladder (PT0S:owner, P1D:manager, P3D:lead), Mon-Fri 08:00-18:00 in London", () => {
  it("from a due time of Tuesday 1 December 2026, 17:00: reminder Monday, owner Tuesday, manager Wednesday, lead Friday, all at 17:00", () => {
    expect(stages("2026-12-01T17:00:00Z", DEFAULT, both(office(LONDON)))).toEqual([
      "2026-11-30T17:00:00.000Z",
      "2026-12-01T17:00:00.000Z",
      "2026-12-02T17:00:00.000Z",
      "2026-12-04T17:00:00.000Z",
    ]);
  });

  it("a due time of Friday 17:30: the owner is told then (still in hours), the manager's Saturday step waits for Monday 08:00", () => {
    expect(stages("2026-11-27T17:30:00Z", DEFAULT, both(office(LONDON)))).toEqual([
      "2026-11-26T17:30:00.000Z", // Thursday
      "2026-11-27T17:30:00.000Z",
      "2026-11-30T08:00:00.000Z",
      "2026-11-30T17:30:00.000Z", // Friday + 3 days is Monday 17:30, within hours
    ]);
  });

  it("an owner step that falls after Friday's hours is moved to Monday 08:00", () => {
    const hourLater = ladder("PT1H:owner,P1D:manager,P3D:lead");
    expect(stages("2026-11-27T17:30:00Z", hourLater, both(office(LONDON))).slice(1)).toEqual([
      "2026-11-30T08:00:00.000Z", // Friday 18:30
      "2026-11-30T08:00:00.000Z", // Saturday 17:30
      "2026-11-30T17:30:00.000Z",
    ]);
  });

  it("a restricted incident's manager and lead steps do not wait for working hours", () => {
    expect(stages("2026-11-27T17:30:00Z", DEFAULT, both(office(LONDON)), true)).toEqual([
      "2026-11-26T17:30:00.000Z",
      "2026-11-27T17:30:00.000Z",
      "2026-11-28T17:30:00.000Z", // Saturday
      "2026-11-30T17:30:00.000Z",
    ]);
    // Its owner step still waits for the owner's hours.
    const hourLater = ladder("PT1H:owner,P2D:manager");
    expect(stages("2026-11-27T12:00:00Z", hourLater, both(office(LONDON)), true).slice(1)).toEqual([
      "2026-11-27T13:00:00.000Z",
      "2026-11-29T12:00:00.000Z", // Sunday
    ]);
    expect(stages("2026-11-27T17:30:00Z", hourLater, both(office(LONDON)), true).slice(1)).toEqual([
      "2026-11-30T08:00:00.000Z",
      // Sunday 17:30 would come before the owner's Monday 08:00, so the climb stays in order.
      "2026-11-30T08:00:00.000Z",
    ]);
  });

  it("the first step is the due time plus its own offset, not the due time alone", () => {
    const late = ladder("PT2H:owner,P1D:manager");
    expect(stageAt(new Date("2026-12-01T10:00:00Z"), late, 1, both(office(LONDON)), false).toISOString()).toBe("2026-12-01T12:00:00.000Z");
  });

  it("owner steps wait for the owner's hours in the owner's zone; channel steps for the team's", () => {
    const clocks = { owner: office(NEW_YORK), team: office(LONDON) };
    // Tuesday 1 December 12:00 UTC is 07:00 in New York: the owner is told at 08:00 there (13:00 UTC).
    expect(stages("2026-12-01T12:00:00Z", DEFAULT, clocks)).toEqual([
      "2026-11-30T13:00:00.000Z",
      "2026-12-01T13:00:00.000Z",
      "2026-12-02T12:00:00.000Z",
      "2026-12-04T12:00:00.000Z",
    ]);
  });

  it("keeps the stages in order when working hours push an earlier one past a later one", () => {
    const clocks = { owner: office(NEW_YORK), team: office(LONDON) };
    const close = ladder("PT0S:owner,PT30M:manager");
    // The owner's step waits until 13:00 UTC; the restricted manager step at 12:30 UTC is kept after it.
    expect(stages("2026-12-01T12:00:00Z", close, clocks, true).slice(1)).toEqual(["2026-12-01T13:00:00.000Z", "2026-12-01T13:00:00.000Z"]);
    expect(nextStage(new Date("2026-12-01T12:00:00Z"), close, 1, clocks, true)?.at.toISOString()).toBe("2026-12-01T13:00:00.000Z");
  });

  it("refuses a stage the ladder does not have", () => {
    expect(() => stageAt(new Date("2026-12-01T17:00:00Z"), DEFAULT, 4, both(office(LONDON)), false)).toThrow(RangeError);
    expect(() => stageAt(new Date("2026-12-01T17:00:00Z"), DEFAULT, -1, both(office(LONDON)), false)).toThrow(RangeError);
    expect(() => nextStage(new Date("2026-12-01T17:00:00Z"), DEFAULT, 0.5, both(office(LONDON)), false)).toThrow(RangeError);
  });
});

describe("the reminder, one working day before the due time", () => {
  const remind = (due: string, clock: PromptClock) => reminderAt(new Date(due), clock).toISOString();

  it.each([
    ["Monday 10:00 → Friday 10:00", "2026-11-30T10:00:00Z", "2026-11-27T10:00:00.000Z"],
    ["Wednesday 10:00 → Tuesday 10:00", "2026-12-02T10:00:00Z", "2026-12-01T10:00:00.000Z"],
    ["Saturday 10:00 → Friday 10:00", "2026-11-28T10:00:00Z", "2026-11-27T10:00:00.000Z"],
    ["Wednesday 07:00 → Tuesday 08:00 (into hours)", "2026-12-02T07:00:00Z", "2026-12-01T08:00:00.000Z"],
    // Tuesday 19:00 is after hours, and Wednesday 08:00 is still before the due time.
    ["Wednesday 19:00 → Wednesday 08:00", "2026-12-02T19:00:00Z", "2026-12-02T08:00:00.000Z"],
    // Friday 19:00 would move to Monday 08:00, past the due time: the start of Friday, the last working day before it.
    ["Saturday 19:00 → Friday 08:00", "2026-11-28T19:00:00Z", "2026-11-27T08:00:00.000Z"],
    ["Sunday 23:00 → Friday 08:00", "2026-11-29T23:00:00Z", "2026-11-27T08:00:00.000Z"],
  ])("Mon-Fri 08:00-18:00: %s", (_, due, expected) => {
    expect(remind(due, office(LONDON))).toBe(expected);
  });

  it('is one calendar day back when working hours are "always"', () => {
    expect(remind("2026-11-30T10:00:00Z", always(LONDON))).toBe("2026-11-29T10:00:00.000Z");
  });

  it("keeps the local time across a change of the clocks (Monday 26 October 2026 10:00 GMT → Friday 10:00 BST)", () => {
    expect(remind("2026-10-26T10:00:00Z", office(LONDON))).toBe("2026-10-23T09:00:00.000Z");
  });

  it("is never later than the due time, and is in working hours", () => {
    const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }).map((t) => new Date(t));
    fc.assert(
      fc.property(instant, fc.constantFrom(LONDON, NEW_YORK), (due, zone) => {
        const at = reminderAt(due, office(zone));
        expect(at.getTime()).toBeLessThanOrEqual(due.getTime());
        expect(intoWorkingHours(at, office(zone)).getTime()).toBe(at.getTime());
      }),
    );
  });
});

describe("the first stage to schedule", () => {
  const due = new Date("2026-12-01T17:00:00Z"); // Tuesday; the reminder is Monday 17:00
  const first = (now: string) => iso(firstStage(due, DEFAULT, both(office(LONDON)), false, new Date(now)));

  it("is the reminder while it is still ahead", () => {
    expect(first("2026-11-27T09:00:00Z")).toEqual({ stage: 0, at: "2026-11-30T17:00:00.000Z" });
  });

  it("is the first ladder step when the action is created less than a day before its due time", () => {
    expect(first("2026-12-01T09:00:00Z")).toEqual({ stage: 1, at: "2026-12-01T17:00:00.000Z" });
    // At the reminder's own time it is no longer ahead.
    expect(first("2026-11-30T17:00:00Z")).toEqual({ stage: 1, at: "2026-12-01T17:00:00.000Z" });
  });

  it("is the first ladder step even when that is past: overdue work climbs", () => {
    expect(first("2026-12-03T09:00:00Z")).toEqual({ stage: 1, at: "2026-12-01T17:00:00.000Z" });
  });

  it("is nothing when the ladder is empty", () => {
    expect(firstStage(due, [], both(office(LONDON)), false, new Date("2026-11-27T09:00:00Z"))).toBeNull();
  });
});

describe("the next stage", () => {
  const due = new Date("2026-12-01T17:00:00Z");
  const next = (after: number) => iso(nextStage(due, DEFAULT, after, both(office(LONDON)), false));

  it("climbs the ladder one step at a time and ends past the last", () => {
    expect(next(0)).toEqual({ stage: 1, at: "2026-12-01T17:00:00.000Z" });
    expect(next(1)).toEqual({ stage: 2, at: "2026-12-02T17:00:00.000Z" });
    expect(next(2)).toEqual({ stage: 3, at: "2026-12-04T17:00:00.000Z" });
    expect(next(3)).toBeNull();
    expect(next(7)).toBeNull();
  });

  it("a ladder of seconds with \"always\" gives the due time, +20 s and +40 s (the console demo)", () => {
    const clocks = both(always(LONDON));
    const at = new Date("2026-12-01T17:00:00Z");
    const climb: ReturnType<typeof iso>[] = [];
    for (let s = firstStage(at, SECONDS, clocks, false, at); s; s = nextStage(at, SECONDS, s.stage, clocks, false)) climb.push(iso(s));
    expect(climb).toEqual([
      { stage: 1, at: "2026-12-01T17:00:00.000Z" },
      { stage: 2, at: "2026-12-01T17:00:20.000Z" },
      { stage: 3, at: "2026-12-01T17:00:40.000Z" },
    ]);
  });

  it("never goes backwards, whatever the due time, zones and restriction", () => {
    const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }).map((t) => new Date(t));
    const clock = fc.record({
      zone: fc.constantFrom(LONDON, NEW_YORK, "Asia/Kolkata"),
      workingHours: fc.constantFrom<WorkingHours | "always">(OFFICE, EVERY_DAY, "always"),
    });
    const steps = fc.constantFrom(DEFAULT, SECONDS, ladder("PT0S:owner,PT30M:manager,PT1H:owner,P1D:lead"));
    fc.assert(
      fc.property(instant, clock, clock, steps, fc.boolean(), (dueAt, owner, team, l, restricted) => {
        const times = l.map((_, i) => stageAt(dueAt, l, i + 1, { owner, team }, restricted).getTime());
        times.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(i === 0 ? dueAt.getTime() : times[i - 1]!));
      }),
    );
  });
});

describe("across a change of the clocks (Sunday 25 October 2026, 02:00 BST → 01:00 GMT)", () => {
  it("P1D keeps the local time of day: Saturday 17:00 BST → Sunday 17:00 GMT", () => {
    expect(stages("2026-10-24T16:00:00Z", DEFAULT, both({ zone: LONDON, workingHours: EVERY_DAY }))).toEqual([
      "2026-10-23T16:00:00.000Z", // Friday 17:00 BST
      "2026-10-24T16:00:00.000Z",
      "2026-10-25T17:00:00.000Z", // 25 hours later, still 17:00 on the wall
      "2026-10-27T17:00:00.000Z",
    ]);
  });
});

describe("working days (duty of candour: due in 10 working days)", () => {
  it("Thursday 3 December 2026 10:00 plus 10 working days is Thursday 17 December 10:00 (Mon-Fri)", () => {
    expect(addWorkingDays(new Date("2026-12-03T10:00:00Z"), 10, office(LONDON)).toISOString()).toBe("2026-12-17T10:00:00.000Z");
  });

  it('is 10 calendar days with "always": Sunday 13 December', () => {
    expect(addWorkingDays(new Date("2026-12-03T10:00:00Z"), 10, always(LONDON)).toISOString()).toBe("2026-12-13T10:00:00.000Z");
  });

  it("skips the weekend, keeps local time across the clocks going back, and moves into working hours", () => {
    // Friday 23 October 10:00 BST + 1 working day is Monday 26 October 10:00 GMT.
    expect(addWorkingDays(new Date("2026-10-23T09:00:00Z"), 1, office(LONDON)).toISOString()).toBe("2026-10-26T10:00:00.000Z");
    // From a Saturday evening: Monday evening, after hours, so Tuesday 08:00.
    expect(addWorkingDays(new Date("2026-11-28T19:00:00Z"), 1, office(LONDON)).toISOString()).toBe("2026-12-01T08:00:00.000Z");
    expect(addWorkingDays(new Date("2026-11-28T10:00:00Z"), 0, office(LONDON)).toISOString()).toBe("2026-11-30T08:00:00.000Z");
  });

  it("refuses a negative or fractional number of days, and working hours with no day", () => {
    expect(() => addWorkingDays(new Date("2026-12-03T10:00:00Z"), -1, office(LONDON))).toThrow(RangeError);
    expect(() => addWorkingDays(new Date("2026-12-03T10:00:00Z"), 1.5, office(LONDON))).toThrow(RangeError);
    const none: PromptClock = { zone: LONDON, workingHours: { days: [], start: 480, end: 1080 } };
    expect(() => addWorkingDays(new Date("2026-12-03T10:00:00Z"), 1, none)).toThrow(RangeError);
  });
});
