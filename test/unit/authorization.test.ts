import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { authorize, refusal, RULES } from "../../src/domain/authorization.ts";
import { DomainError } from "../../src/domain/errors.ts";

/** The rows of the README's "Who may do what" table, as [act, who]. */
function readmeRows(): string[][] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.split("## Who may do what")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| act |"))
    .map((line) => line.slice(2, -2).split(" | "));
}

describe("who may do what", () => {
  it("is shown in the README exactly as the rules in src/domain say it", () => {
    expect(readmeRows()).toEqual(Object.values(RULES).map((rule) => [rule.act, rule.who]));
  });

  it("refuses with a sentence that names who can, and what to do instead", () => {
    expect(refusal(RULES.handOverLead)).toBe("Only an admin, or the team's current lead, can hand the lead role on.");
    expect(refusal(RULES.appointFirstLead, "Ask a workspace admin.")).toBe("Only an admin can appoint a team's first lead. Ask a workspace admin.");
  });

  it("never lets anyone set a reporting line about themselves, admins included", () => {
    const no = { inOtherTeamsIncidents: false };
    expect(RULES.setManager.allows({ ...no, admin: true, leadsPersonsTeam: true, aboutThemselves: true })).toBe(false);
    expect(RULES.setManager.allows({ ...no, admin: true, leadsPersonsTeam: false, aboutThemselves: false })).toBe(true);
    expect(RULES.setManager.allows({ ...no, admin: false, leadsPersonsTeam: true, aboutThemselves: false })).toBe(true);
    expect(RULES.setManager.allows({ ...no, admin: false, leadsPersonsTeam: false, aboutThemselves: false })).toBe(false);
  });

  it("leaves someone with no team yet who is in another team's incidents to an admin, for their manager and home team", () => {
    expect(RULES.setManager.allows({ admin: false, leadsPersonsTeam: true, aboutThemselves: false, inOtherTeamsIncidents: true })).toBe(false);
    expect(RULES.setManager.allows({ admin: true, leadsPersonsTeam: false, aboutThemselves: false, inOtherTeamsIncidents: true })).toBe(true);
    const teamless = { hasTeam: false, leadsOldTeam: false, leadsNewTeam: true };
    expect(RULES.setHomeTeam.allows({ ...teamless, admin: false, inOtherTeamsIncidents: true })).toBe(false);
    expect(RULES.setHomeTeam.allows({ ...teamless, admin: false, inOtherTeamsIncidents: false })).toBe(true);
    expect(RULES.setHomeTeam.allows({ ...teamless, admin: true, inOtherTeamsIncidents: true })).toBe(true);
  });

  it("keeps a team's first lead for admins, and hands it on only by an admin or the current lead", () => {
    expect(RULES.appointFirstLead.allows({ admin: false })).toBe(false);
    expect(RULES.handOverLead.allows({ admin: false, isLead: true })).toBe(true);
    expect(RULES.handOverLead.allows({ admin: false, isLead: false })).toBe(false);
  });

  it("takes no new actions on a closed incident, even from its circle", () => {
    expect(RULES.addAction.allows({ inCircle: true, open: false })).toBe(false);
    expect(RULES.addAction.allows({ inCircle: false, open: true })).toBe(false);
  });

  it("throws a refusal the core shows as it is", () => {
    expect(() => authorize(RULES.setupTeam, { admin: false, leadsATeam: false })).toThrow(
      new DomainError("FORBIDDEN", "Only an admin, or a team's lead, can make a channel a team space."),
    );
  });
});
