import type { Action } from "../../domain/action.ts";
import { DUE_PHRASE_MAX } from "../../domain/due.ts";
import { dueLabel } from "../../views/action-views.ts";
import { command, mention, type Button, type FormView, type MessageView, type PersonName, type Section, type Span } from "../../views/view.ts";

/** Button and form ids this feature answers. */
export const IDS = {
  done: "escalation.done",
  extend: "escalation.extend",
  reassign: "escalation.reassign",
  nudge: "escalation.nudge",
  extendForm: "escalation.extend_form",
  reassignForm: "escalation.reassign_form",
} as const;

/**
 * The most actions one message lists with buttons: four buttons each stay within Block Kit's 50 blocks and 25
 * elements an actions block. Past it, a summary line and /action list.
 */
export const MAX_PER_MESSAGE = 10;

/** An action as an escalation message lists it, as it stands now. */
export interface EscalatedLine {
  readonly action: Action;
  readonly owner: PersonName;
  /** Its incident is restricted: in a channel, only its reference, owner and due time are shown. */
  readonly restricted: boolean;
  /** What someone did about it from this message ("marked done by …"). */
  readonly outcome: string | null;
  /** The step came to the lead because the owner has no manager set. */
  readonly noManager: boolean;
}

/** What a button carries: the action and the message it sits in, so what is done there is shown there. */
export const buttonValue = (action: Action, messageKey: string): string => `${action.ref} ${messageKey}`;

export function readButtonValue(value: string): { ref: string; messageKey: string } | undefined {
  const [ref, messageKey] = value.split(" ");
  return ref && messageKey ? { ref, messageKey } : undefined;
}

const open = (l: EscalatedLine) => l.action.status === "open";
const overdue = (l: EscalatedLine, now: Date) => open(l) && l.action.dueAt.getTime() <= now.getTime();

function state(l: EscalatedLine): string {
  if (l.outcome) return ` — ${l.outcome}`;
  if (l.action.status === "done") return " — done";
  if (l.action.status === "cancelled") return " — cancelled";
  return "";
}

function dueWords(action: Action, zone: string, now: Date): Span {
  const due = dueLabel(action.dueAt, zone, now);
  return action.status === "open" && action.dueAt.getTime() <= now.getTime() ? { strong: `overdue, was due ${due}` } : `due ${due}`;
}

/** The owner's direct message: the reminder before the due time, or the owner's step once it is overdue. */
export function ownerStepView(lines: readonly EscalatedLine[], reminder: boolean, messageKey: string, zone: string, now: Date): MessageView {
  const shown = lines.slice(0, MAX_PER_MESSAGE);
  const stillOpen = shown.filter(open);
  const single = lines.length === 1 ? lines[0]! : undefined;
  const title = single
    ? !open(single)
      ? `${single.action.ref}${state(single)}`
      : reminder || !overdue(single, now)
        ? `${reminder ? "Reminder: " : ""}${single.action.ref} is due ${dueLabel(single.action.dueAt, zone, now)}`
        : `${single.action.ref} is overdue`
    : `${lines.length} of your actions need you`;
  const sections: Section[] = shown.map((l) => ({
    text: [{ strong: `${l.action.ref} for ${l.action.incidentRef}` }, `: ${l.action.title} · `, dueWords(l.action, zone, now), state(l)],
  }));
  if (lines.length > shown.length) sections.push({ text: [`and ${lines.length - shown.length} more: `, command("action list"), " shows them all."] });
  const buttons: Button[] = stillOpen.flatMap((l) => {
    const value = buttonValue(l.action, messageKey);
    const which = single ? "" : ` ${l.action.ref}`;
    return [
      { id: IDS.done, label: `Done${which}`, value, style: "primary" as const },
      { id: IDS.extend, label: `Extend${which}`, value },
      { id: IDS.reassign, label: `Reassign${which}`, value },
    ];
  });
  return {
    text: title,
    title,
    sections,
    buttons,
    context: stillOpen.length > 0 ? "If it cannot be done in time, extend it or hand it on: nobody is blamed for asking." : undefined,
  };
}

/**
 * A manager's or lead's step, in the team's channel, mentioning them. A restricted incident's action is named by its
 * reference, owner and due time only; its title goes to them by direct message.
 */
export function channelStepView(
  recipient: PersonName | null,
  target: "manager" | "lead",
  lines: readonly EscalatedLine[],
  messageKey: string,
  zone: string,
  now: Date,
): MessageView {
  const shown = lines.slice(0, MAX_PER_MESSAGE);
  const count = `${lines.length} action${lines.length === 1 ? "" : "s"}`;
  const whose = target === "manager" && !lines.every((l) => l.noManager) ? "owned by people who report to you" : "owned by your team";
  const stillOverdue = lines.filter((l) => overdue(l, now)).length;
  const head: Span[] = recipient
    ? [
        mention(recipient),
        stillOverdue > 0
          ? `: ${count} ${whose} ${lines.length === 1 ? "is" : "are"} overdue.`
          : `: ${count} ${whose} ${lines.length === 1 ? "was" : "were"} overdue; now dealt with or given more time.`,
      ]
    : [`${count} in this team ${lines.length === 1 ? "is" : "are"} overdue, and the team has no lead to tell. An admin can appoint one with `, command("debrief lead @person"), "."];
  const sections: Section[] = [{ text: head }];
  for (const l of shown) {
    const what: Span[] = l.restricted
      ? [{ strong: `${l.action.ref} for ${l.action.incidentRef}` }, " (restricted)"]
      : [{ strong: `${l.action.ref} for ${l.action.incidentRef}` }, `: ${l.action.title}`];
    sections.push({ text: [...what, " · owner ", mention(l.owner), " · ", dueWords(l.action, zone, now), state(l)] });
  }
  if (lines.length > shown.length) sections.push({ text: [`and ${lines.length - shown.length} more: `, command("action list @person"), " shows each person's."] });
  for (const l of shown.filter((x) => x.noManager && open(x))) {
    sections.push({ text: [mention(l.owner), " has no manager set in Debrief, so this came to the lead. Set one with ", command(`debrief manager @${l.owner.name ?? "person"} @manager`), "."] });
  }
  const buttons: Button[] = shown.filter(open).flatMap((l) => {
    const value = buttonValue(l.action, messageKey);
    return [
      { id: IDS.nudge, label: `Nudge owner of ${l.action.ref}`, value },
      { id: IDS.extend, label: `Extend ${l.action.ref}`, value },
      { id: IDS.reassign, label: `Reassign ${l.action.ref}`, value },
      { id: IDS.done, label: `Mark ${l.action.ref} done`, value, style: "primary" as const },
    ];
  });
  const hidden = shown.some((l) => l.restricted);
  return {
    text: plainHead(recipient, count, stillOverdue),
    sections,
    buttons,
    context: hidden ? "Restricted incidents are named here by reference only; their titles were sent by direct message." : "Anyone here may act on these; whatever is done shows here.",
  };
}

const plainHead = (recipient: PersonName | null, count: string, open: number) =>
  `${recipient ? `${recipient.name ?? recipient.userId}: ` : ""}${count} ${open > 0 ? "overdue" : "dealt with"}`;

/** To a manager or lead: the titles of restricted actions their channel message could only name. */
export function restrictedTitlesView(lines: readonly EscalatedLine[], channelName: string, zone: string, now: Date): MessageView {
  const text = `Overdue in #${channelName}: the restricted action${lines.length === 1 ? "" : "s"} named there`;
  return {
    text,
    sections: [
      { text },
      ...lines.map((l) => ({ text: [{ strong: `${l.action.ref} for ${l.action.incidentRef}` }, `: ${l.action.title} · owner `, mention(l.owner), " · ", dueWords(l.action, zone, now)] as Span[] })),
    ],
    context: "Only you were sent this, because the incident is restricted.",
  };
}

/** To the owner, from a manager or lead who pressed Nudge owner. */
export function nudgeView(action: Action, by: PersonName, messageKey: string, zone: string, now: Date): MessageView {
  return {
    text: `${by.name ?? "Someone"} asks you to look at ${action.ref}`,
    sections: [
      { text: [mention(by), ` asks you to look at `, { strong: `${action.ref} for ${action.incidentRef}` }, "."] },
      { text: [action.title, " · ", dueWords(action, zone, now)] },
    ],
    buttons: ownerButtons(action, messageKey),
    context: "If it cannot be done, say so: extend it or hand it on.",
  };
}

/** Done, Extend and Reassign on an owner's direct message about one action; `messageKey` names that message. */
export const ownerButtons = (action: Action, messageKey: string): Button[] => {
  const value = buttonValue(action, messageKey);
  return [
    { id: IDS.done, label: "Done", value, style: "primary" },
    { id: IDS.extend, label: "Extend", value },
    { id: IDS.reassign, label: "Reassign", value },
  ];
};

/** A single action, as its message says once someone has acted on it from there. */
export function actedView(action: Action, outcome: string): MessageView {
  const text = `${action.ref} for ${action.incidentRef}: ${outcome}`;
  return { text, sections: [{ text: [{ strong: `${action.ref} for ${action.incidentRef}` }, `: ${outcome}`] }] };
}

export function extendForm(action: Action, messageKey: string, zone: string, now: Date): FormView {
  return {
    id: IDS.extendForm,
    title: `Extend ${action.ref}`,
    submitLabel: "Extend",
    intro: [`${action.ref} is due ${dueLabel(action.dueAt, zone, now)}.`],
    inputs: [{ kind: "text", id: "due", label: "New due time", hint: 'e.g. "by friday", "in 3 days", "tomorrow 5pm", 2026-12-18', maxLength: DUE_PHRASE_MAX }],
    state: buttonValue(action, messageKey),
  };
}

export function reassignForm(action: Action, messageKey: string): FormView {
  return {
    id: IDS.reassignForm,
    title: `Reassign ${action.ref}`,
    submitLabel: "Reassign",
    inputs: [{ kind: "people", id: "owner", label: "New owner", single: true }],
    state: buttonValue(action, messageKey),
  };
}
