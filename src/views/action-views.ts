import { DateTime } from "luxon";
import type { Action } from "../domain/action.ts";
import { plural } from "./format.ts";
import { command, mention, type MessageView, type PersonName, type Span } from "./view.ts";

/** An action as one reader may see it: the title only when they may see its incident's details, or own it. */
export interface SeenAction {
  action: Action;
  visible: boolean;
}

/** "Fri 27 Nov, 17:00" in the reader's zone; the year only when it is not this year. */
export function dueLabel(at: Date, zone: string, now: Date): string {
  const due = DateTime.fromJSDate(at).setZone(zone);
  const sameYear = due.year === DateTime.fromJSDate(now).setZone(zone).year;
  return due.toFormat(sameYear ? "ccc d LLL, HH:mm" : "ccc d LLL yyyy, HH:mm");
}

/** "A-3 for INC-12: Update the risk assessment", or "A-3 (restricted incident)" for a reader outside the circle. */
export const actionLabel = ({ action, visible }: SeenAction): string =>
  visible ? `${action.ref} for ${action.incidentRef}: ${action.title}` : `${action.ref} (restricted incident)`;

const isOverdue = (action: Action, now: Date) => action.status === "open" && action.dueAt.getTime() <= now.getTime();

/** The reply to whoever added the action. */
export function actionAddedView(seen: SeenAction, owner: PersonName, byUserId: string, zone: string, now: Date): MessageView {
  const { action } = seen;
  const due = dueLabel(action.dueAt, zone, now);
  const told = owner.userId === byUserId ? "It is in your direct messages too." : "They have been sent it by direct message.";
  return {
    text: `Added ${actionLabel(seen)} — due ${due}`,
    sections: [
      { text: [{ strong: `Added ${action.ref}` }, ` for ${action.incidentRef}`] },
      { text: seen.visible ? action.title : "Its incident is restricted." },
      { fields: [{ label: "Owner", value: [mention(owner)] }, { label: "Due", value: due }] },
    ],
    context: told,
  };
}

/** The new owner's direct message. */
export function actionAssignedView(action: Action, by: PersonName, zone: string, now: Date, given = false): MessageView {
  const due = dueLabel(action.dueAt, zone, now);
  const opening = given ? `You have been given action ${action.ref}` : `You have a new action ${action.ref}`;
  return {
    text: `${opening} for ${action.incidentRef}: ${action.title} — due ${due}`,
    sections: [
      { text: [{ strong: `${opening} for ${action.incidentRef}` }] },
      { text: action.title },
      { fields: [{ label: "Due", value: due }, { label: given ? "Given to you by" : "Added by", value: [mention(by)] }] },
    ],
    context: [
      "When it's done: ",
      command(`action done ${action.ref} [note]`),
      ". If it can't be done in time: ",
      command(`action extend ${action.ref} <when>`),
      ".",
    ],
  };
}

/** The previous owner's direct message when someone else moved their action on. */
export function actionTakenView(action: Action, to: PersonName, by: PersonName): MessageView {
  return {
    text: `${action.ref} for ${action.incidentRef} is no longer yours`,
    sections: [
      { text: [{ strong: `${action.ref} for ${action.incidentRef}` }, " is now owned by ", mention(to), "."] },
      { text: action.title },
    ],
    context: [mention(by), " moved it."],
  };
}

export function actionReassignedView(seen: SeenAction, to: PersonName): MessageView {
  return {
    text: `${seen.action.ref} reassigned`,
    sections: [{ text: [`${actionLabel(seen)} is now owned by `, mention(to), ". They have been told by direct message."] }],
  };
}

/** The reply to whoever moved the due time; `ownerUsedTheirMove` says the owner cannot move it again themselves. */
export function actionExtendedView(seen: SeenAction, zone: string, now: Date, ownerUsedTheirMove: boolean): MessageView {
  const due = dueLabel(seen.action.dueAt, zone, now);
  return {
    text: `${seen.action.ref} is now due ${due}`,
    sections: [{ text: [`${actionLabel(seen)} is now due `, { strong: due }, "."] }],
    ...(ownerUsedTheirMove ? { context: "That was your one move of this due date; any later change needs your manager or the team lead." } : {}),
  };
}

/** The owner's direct message when their manager or the lead moved the due time. */
export function actionDueMovedView(action: Action, by: PersonName, zone: string, now: Date): MessageView {
  const due = dueLabel(action.dueAt, zone, now);
  return {
    text: `${action.ref} for ${action.incidentRef} is now due ${due}`,
    sections: [
      { text: [{ strong: `${action.ref} for ${action.incidentRef}` }, " is now due ", { strong: due }, "."] },
      { text: action.title },
    ],
    context: [mention(by), " moved it."],
  };
}

export function actionDoneView(seen: SeenAction): MessageView {
  const note = seen.action.doneNote && seen.visible ? [{ text: [{ strong: "Note: " }, seen.action.doneNote] as Span[] }] : [];
  return {
    text: `${seen.action.ref} is done`,
    sections: [{ text: `${actionLabel(seen)} is done. Thank you.` }, ...note],
  };
}

/** The owner's direct message when someone else marked their action done. */
export function actionCompletedForYouView(action: Action, by: PersonName): MessageView {
  return {
    text: `${action.ref} for ${action.incidentRef} was marked done`,
    sections: [
      { text: [{ strong: `${action.ref} for ${action.incidentRef}` }, " was marked done by ", mention(by), "."] },
      { text: action.title },
      ...(action.doneNote ? [{ text: [{ strong: "Note: " }, action.doneNote] as Span[] }] : []),
    ],
  };
}

/** The owner's direct message when their manager or the lead cancelled their action. */
export function actionCancelledForYouView(action: Action, by: PersonName): MessageView {
  return {
    text: `${action.ref} for ${action.incidentRef} was cancelled`,
    sections: [
      { text: [{ strong: `${action.ref} for ${action.incidentRef}` }, " was cancelled by ", mention(by), ": nothing more is needed from you."] },
      { text: action.title },
      ...(action.cancelReason ? [{ text: [{ strong: "Why: " }, action.cancelReason] as Span[] }] : []),
    ],
  };
}

export function actionCancelledView(seen: SeenAction): MessageView {
  return { text: `${seen.action.ref} is cancelled`, sections: [{ text: `${actionLabel(seen)} is cancelled; it will not be escalated. Its owner has been told.` }] };
}

/** One person's open actions, soonest first, overdue ones marked. `whose` is null for the reader's own. */
export function actionListView(items: readonly SeenAction[], total: number, whose: PersonName | null, zone: string, now: Date): MessageView {
  const owner: Span[] = whose ? [mention(whose)] : [];
  if (items.length === 0) {
    return {
      text: whose ? "No open actions" : "You have no open actions",
      sections: [{ text: whose ? [...owner, " has no open actions."] : "You have no open actions." }],
    };
  }
  const overdue = items.filter((i) => isOverdue(i.action, now)).length;
  const lines: Span[] = items.flatMap((seen, i) => {
    const due = dueLabel(seen.action.dueAt, zone, now);
    const when: Span = isOverdue(seen.action, now) ? { strong: `overdue, was due ${due}` } : `due ${due}`;
    const what = seen.visible ? `${seen.action.ref} · ${seen.action.incidentRef} — ${seen.action.title}` : `${seen.action.ref} (restricted incident)`;
    return [...(i === 0 ? [] : ["\n"]), what, " · ", when];
  });
  const more = total > items.length ? [`Showing the ${items.length} due soonest of ${total}. `] : [];
  const count = `${plural(total, "open action")}${overdue ? `, ${overdue} overdue` : ""}`;
  return {
    text: whose ? `${count}` : `You have ${count}`,
    sections: [{ text: whose ? [...owner, ` has ${count}`] : [`You have ${count}`] }, { text: lines }],
    context: [...more, "Mark one done with ", command("action done A-n [note]"), "."],
  };
}
