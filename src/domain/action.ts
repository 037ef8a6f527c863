import { endOfDayAfter } from "./due.ts";
import type { PersonId } from "./incident.ts";

export const ACTION_STATUSES = ["open", "done", "cancelled"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** Long enough for a clear instruction, short enough to read in a list on a phone. */
export const ACTION_TITLE_MAX = 300;

/** A line or two on how it was done, typed after /action done. */
export const DONE_NOTE_MAX = 1000;

/** A follow-up action on an incident: one owner, one due time. */
export interface Action {
  id: number;
  workspaceId: string;
  ref: string;
  incidentId: number;
  incidentRef: string;
  title: string;
  ownerId: PersonId;
  dueAt: Date;
  status: ActionStatus;
  doneNote: string | null;
  doneAt: Date | null;
  createdBy: PersonId;
  createdAt: Date;
  /** When the owner moved their own due date, if they have: they may do that once. */
  ownerExtendedAt: Date | null;
  /** Why a manager or the lead cancelled it, when they did. */
  cancelReason: string | null;
}

/** Who stands around an action: its owner and their manager, and the incident's reporter and team lead. */
export interface ActionAudience {
  ownerId: PersonId;
  ownerManagerId: PersonId | null;
  reporterId: PersonId;
  leadId: PersonId | null;
}

const overseer = (who: PersonId, a: ActionAudience): boolean => who === a.ownerManagerId || who === a.leadId;

/** Done is for the owner, the incident's reporter (who asked for it), the lead, or the owner's manager. */
export function canComplete(who: PersonId, a: ActionAudience): boolean {
  return who === a.ownerId || who === a.reporterId || overseer(who, a);
}

/** The owner may hand it on; their manager or the lead may move it. */
export function canReassign(who: PersonId, a: ActionAudience): boolean {
  return who === a.ownerId || overseer(who, a);
}

export type ExtendRight = "overseer" | "owner" | "owner-used" | "none";

/**
 * The owner's manager or the lead may move a due date as often as they judge right. The owner may move it once
 * themselves (by up to OWNER_MOVE_LIMIT), so an honest slip needs no one's permission; a second slip needs someone accountable to agree, which is
 * how overdue work stays visible up the reporting line (DOMAIN.md: blame-free, with accountability).
 */
export function extendRight(who: PersonId, action: Pick<Action, "ownerExtendedAt">, a: ActionAudience): ExtendRight {
  if (overseer(who, a)) return "overseer";
  if (who !== a.ownerId) return "none";
  return action.ownerExtendedAt ? "owner-used" : "owner";
}

/**
 * How far the owner's own one move may take the due date: enough for an honest slip, not so far that a late action
 * drops out of sight; more needs their manager or the lead. Without it the one move could be to 9999-12-31.
 */
export const OWNER_MOVE_LIMIT = { weeks: 4 } as const;

/** The latest the owner may move a due date to themselves: the end of the day 4 weeks after it, in their zone. */
export function latestOwnerMove(action: Pick<Action, "dueAt">, zone: string): Date {
  return endOfDayAfter(action.dueAt, OWNER_MOVE_LIMIT, zone);
}
