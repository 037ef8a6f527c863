import { describe, expect, it } from "vitest";
import { canReadAnswers, canSeeWhoHasNotAnswered, MIN_TEAM_FOR_FIGURES, showsTeamFigures } from "../../src/domain/reflection-privacy.ts";

describe("the privacy of reflections", () => {
  it("lets only the author read their answers: not their manager, the lead or an admin", () => {
    expect(canReadAnswers("sam", "sam")).toBe(true);
    for (const other of ["mgr", "lead", "admin", ""]) expect(canReadAnswers(other, "sam")).toBe(false);
  });

  it("tells only a person's own line manager that they have not answered", () => {
    expect(canSeeWhoHasNotAnswered("mgr", { managerId: "mgr" })).toBe(true);
    expect(canSeeWhoHasNotAnswered("lead", { managerId: "mgr" })).toBe(false);
    expect(canSeeWhoHasNotAnswered("mgr", { managerId: null })).toBe(false);
    expect(canSeeWhoHasNotAnswered("sam", { managerId: "mgr" })).toBe(false);
  });

  it("shows team figures only for teams of at least 5", () => {
    expect(MIN_TEAM_FOR_FIGURES).toBe(5);
    expect([0, 1, 4, 5, 6, 40].map(showsTeamFigures)).toEqual([false, false, false, true, true, true]);
  });
});
