import { DomainError } from "./errors.ts";

/**
 * Who may do what (DESIGN.md, "Roles and privacy"): one table, shown in the README as it is here (a test compares
 * them). The use cases gather the facts about the actor; the rules decide. Every refusal names who can.
 */
export interface Rule<Facts> {
  /** What is being done, as the README's table and refusals say it ("set someone's manager"). */
  readonly act: string;
  /** Who may, as the README's table and refusals say it. */
  readonly who: string;
  readonly allows: (facts: Facts) => boolean;
}

/** What the actor is, in the workspace and to the team or person a change is about. */
export interface Standing {
  /** A platform admin (Slack admin or owner, the console's owner) or listed in DEBRIEF_ADMINS. */
  readonly admin: boolean;
}

export const RULES = {
  setupTeam: {
    act: "make a channel a team space",
    who: "an admin, or a team's lead",
    allows: (f: Standing & { leadsATeam: boolean }) => f.admin || f.leadsATeam,
  },
  appointFirstLead: {
    act: "appoint a team's first lead",
    who: "an admin",
    allows: (f: Standing) => f.admin,
  },
  handOverLead: {
    act: "hand the lead role on",
    who: "an admin, or the team's current lead",
    allows: (f: Standing & { isLead: boolean }) => f.admin || f.isLead,
  },
  setManager: {
    act: "set someone's manager",
    who: "an admin, or the lead of that person's team (never about themselves; someone with no team yet: the lead of this channel's team, unless they are in another team's incidents)",
    // Someone with no home team may still be in another team's incidents (mentioned in a report): a lead who could
    // place them could make an accomplice their manager and read those incidents, restricted ones included.
    allows: (f: Standing & { leadsPersonsTeam: boolean; aboutThemselves: boolean; inOtherTeamsIncidents: boolean }) =>
      !f.aboutThemselves && (f.admin || (f.leadsPersonsTeam && !f.inOtherTeamsIncidents)),
  },
  setHomeTeam: {
    act: "change someone's home team",
    who: "an admin, or the lead of the team they leave (someone with no team yet: the lead of the team they join, unless they are in another team's incidents; their first report from a team channel also sets it)",
    // Not the lead they would join: else any lead could take a member of another team, make an accomplice their
    // manager, and read their restricted incidents (issue "Trust", finding 1). The same holds for someone with no team
    // yet who is in another team's incidents.
    allows: (f: Standing & { hasTeam: boolean; leadsOldTeam: boolean; leadsNewTeam: boolean; inOtherTeamsIncidents: boolean }) =>
      f.admin || (f.hasTeam ? f.leadsOldTeam : f.leadsNewTeam && !f.inOtherTeamsIncidents),
  },
  seeIncident: {
    act: "see an incident's details",
    who: "its circle: the reporter, the staff involved, their line managers and the team's lead",
    allows: (f: { inCircle: boolean }) => f.inCircle,
  },
  changeInvolved: {
    act: "change who is involved in an incident",
    who: "its reporter, a line manager in its circle, or the team's lead",
    allows: (f: { isReporter: boolean; isCircleManager: boolean; isLead: boolean }) => f.isReporter || f.isCircleManager || f.isLead,
  },
  addAction: {
    act: "add an action to an incident",
    who: "anyone in its circle, while it is open",
    allows: (f: { inCircle: boolean; open: boolean }) => f.inCircle && f.open,
  },
  changeAction: {
    act: "mark an action done, extend it or reassign it",
    who: "its owner (extending: one move of up to a few weeks), the owner's line manager, or the team's lead; marking done also the incident's reporter",
    // The detail lives in src/domain/action.ts (canComplete, canReassign, extendRight); this row is the summary.
    allows: (f: { allowed: boolean }) => f.allowed,
  },
  listActions: {
    act: "see someone else's open actions",
    who: "their line managers, or the lead of their team",
    allows: (f: { managesThem: boolean; leadsTheirTeam: boolean }) => f.managesThem || f.leadsTheirTeam,
  },
  cancelOrNudge: {
    act: "cancel an action, or nudge its owner",
    who: "the owner's line manager, or the team's lead",
    allows: (f: { managesOwner: boolean; isLead: boolean }) => f.managesOwner || f.isLead,
  },
  changeSettings: {
    act: "change a team's settings",
    who: "an admin, or the team's lead",
    allows: (f: Standing & { isLead: boolean }) => f.admin || f.isLead,
  },
} as const satisfies Record<string, Rule<never>>;

/** "Only an admin, or the team's current lead, can hand the lead role on." */
export function refusal(rule: Pick<Rule<never>, "act" | "who">, next?: string): string {
  // "an admin, or the team's lead" closes with a comma before "can", as the clause it is.
  const who = rule.who.includes(", or ") ? `${rule.who},` : rule.who;
  return `Only ${who} can ${rule.act}.${next ? ` ${next}` : ""}`;
}

/** Throws the rule's refusal unless the facts allow the act; `next` says what the user can do instead. */
export function authorize<Facts>(rule: Rule<Facts>, facts: Facts, next?: string): void {
  if (!rule.allows(facts)) throw new DomainError("FORBIDDEN", refusal(rule, next));
}
