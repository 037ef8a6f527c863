import { describe, expect, it } from "vitest";
import { toMessage } from "../../adapters/slack/render.ts";
import { canComplete, canReassign, extendRight, type Action, type ActionAudience } from "../../src/domain/action.ts";
import { RULES } from "../../src/domain/authorization.ts";
import { channelStepView, MAX_PER_MESSAGE, ownerStepView, type EscalatedLine } from "../../src/features/escalation/views.ts";

/** Who may act on each escalation button, and how a grouped message stays within Block Kit's limits. */

const audience: ActionAudience = { ownerId: "sam", ownerManagerId: "mgr", reporterId: "alice", leadId: "lead" };

describe("who may act on an escalated action's buttons", () => {
  it("Mark done: the owner, the reporter, the owner's manager or the lead", () => {
    expect(["sam", "alice", "mgr", "lead", "other"].map((who) => canComplete(who, audience))).toEqual([true, true, true, true, false]);
  });

  it("Reassign: the owner, the owner's manager or the lead", () => {
    expect(["sam", "alice", "mgr", "lead", "other"].map((who) => canReassign(who, audience))).toEqual([true, false, true, true, false]);
  });

  it("Extend: the manager or the lead as often as they judge right, the owner once", () => {
    const action = { ownerExtendedAt: null };
    expect(["sam", "alice", "mgr", "lead", "other"].map((who) => extendRight(who, action, audience))).toEqual(["owner", "none", "overseer", "overseer", "none"]);
    expect(extendRight("sam", { ownerExtendedAt: new Date() }, audience)).toBe("owner-used");
  });

  it("Nudge owner and /action cancel: the owner's manager or the lead, not the owner or the reporter", () => {
    const facts = (who: string) => ({ managesOwner: who === audience.ownerManagerId, isLead: who === audience.leadId });
    expect(["sam", "alice", "mgr", "lead", "other"].map((who) => RULES.cancelOrNudge.allows(facts(who)))).toEqual([false, false, true, true, false]);
  });
});

const now = new Date("2026-12-01T12:00:00Z");

function line(n: number, restricted = false): EscalatedLine {
  const action: Action = {
    id: n,
    workspaceId: "slack:T1",
    ref: `A-${n}`,
    incidentId: 1,
    incidentRef: "INC-1",
    title: `Task number ${n}`,
    ownerId: "slack:T1:USAM",
    dueAt: new Date("2026-11-30T17:00:00Z"),
    status: "open",
    doneNote: null,
    doneAt: null,
    createdBy: "slack:T1:UALICE",
    createdAt: new Date("2026-11-20T09:00:00Z"),
    ownerExtendedAt: null,
    cancelReason: null,
  };
  return { action, owner: { userId: "USAM", name: "Sam" }, restricted, outcome: null, noManager: false };
}

describe("a grouped escalation message", () => {
  it("lists up to 10 actions with four buttons each, and past that a summary line pointing to /action list", () => {
    const view = channelStepView({ userId: "UMGR", name: "Mo" }, "manager", Array.from({ length: 30 }, (_, i) => line(i + 1)), "escalation-1-2-0", "Europe/London", now);
    expect(MAX_PER_MESSAGE).toBe(10);
    expect(view.buttons).toHaveLength(40);
    const blocks = toMessage(view).blocks;
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) if (block.type === "actions") expect(block.elements.length).toBeLessThanOrEqual(25);
    expect(JSON.stringify(blocks)).toContain("and 20 more");
    expect(JSON.stringify(blocks)).toContain("/action list @person");
  });

  it("names a restricted incident's action by reference, owner and due time only", () => {
    const view = channelStepView({ userId: "UMGR" }, "manager", [line(7, true)], "escalation-7-2-0", "Europe/London", now);
    expect(JSON.stringify(view)).not.toContain("Task number 7");
    expect(JSON.stringify(toMessage(view))).toContain("A-7 for INC-1");
  });

  it("to the owner: a reminder before the due time names when, and buttons say which action when there are several", () => {
    const reminder = ownerStepView([{ ...line(3), action: { ...line(3).action, dueAt: new Date("2026-12-02T17:00:00Z") } }], true, "escalation-3-0-0", "Europe/London", now);
    expect(reminder.title).toBe("Reminder: A-3 is due Wed 2 Dec, 17:00");
    expect(reminder.buttons?.map((b) => b.label)).toEqual(["Done", "Extend", "Reassign"]);
    const several = ownerStepView([line(1), line(2)], false, "escalation-1-1-0", "Europe/London", now);
    expect(several.title).toBe("2 of your actions need you");
    expect(several.buttons?.map((b) => b.label)).toEqual(["Done A-1", "Extend A-1", "Reassign A-1", "Done A-2", "Extend A-2", "Reassign A-2"]);
  });
});
