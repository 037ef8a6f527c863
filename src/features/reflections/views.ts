import { QUESTION_SETS, type QuestionSetId } from "../../domain/question-sets.ts";
import { SNOOZES } from "../../domain/prompt-time.ts";
import { command, mention, type Button, type FormView, type Input, type MessageView, type PersonName, type Section, type Text } from "../../views/view.ts";
import type { PromptStatus } from "./store.ts";

/** Button and form ids this feature answers. */
export const IDS = {
  reflect: "reflection.reflect",
  later: "reflection.later",
  snooze: "reflection.snooze",
  notInvolved: "reflection.not_involved",
  form: "reflection.answer",
  postLesson: "reflection.post_lesson",
} as const;

/** The most prompts one message lists with buttons (Block Kit allows 50 blocks; each takes a few). */
export const MAX_IN_MESSAGE = 10;

/** One prompt as a message shows it: the summary only when its person may see the incident's details. */
export interface PromptLine {
  readonly promptId: string;
  readonly ref: string;
  readonly summary: string | null;
  readonly step: number;
  readonly steps: number;
  readonly questionSet: string;
  readonly status: PromptStatus;
  /** Sent before and not answered: this time it is a reminder. */
  readonly reminder: boolean;
  /** Reporters cannot say they were not involved. */
  readonly isReporter: boolean;
}

export const setName = (id: string): string => QUESTION_SETS[id as QuestionSetId]?.name ?? id;
const questionCount = (id: string): number => QUESTION_SETS[id as QuestionSetId]?.questions.length ?? 0;

const about = (p: Pick<PromptLine, "ref" | "summary">): Text => (p.summary ? [{ strong: p.ref }, `: ${p.summary}`] : [{ strong: p.ref }]);
const whichOf = (p: Pick<PromptLine, "step" | "steps" | "questionSet">) =>
  `reflection ${p.step + 1} of ${p.steps}, ${setName(p.questionSet)} (${questionCount(p.questionSet)} questions)`;

const WHY =
  "Why we ask: a few minutes while it is fresh helps you, and the team, learn from what happened. The questions are about the situation, not about who was to blame.";
const PRIVATE: Text = [
  "Your answers are yours alone: your manager, the lead and admins cannot read them. You choose whether to share a lesson, and ",
  command("reflect export"),
  " gives you all of yours as CPD evidence.",
];

const waiting = (p: PromptLine) => p.status === "sent" || p.status === "scheduled";

/** "INC-1", or "INC-1 (2 of 3)" when the same incident's prompts sit side by side and need telling apart. */
function refLabel(p: PromptLine, all: readonly PromptLine[]): string {
  return all.filter((o) => o.ref === p.ref).length > 1 ? `${p.ref} (${p.step + 1} of ${p.steps})` : p.ref;
}

/**
 * The direct message that asks someone to reflect: one prompt, or several that fell due together (one message rather
 * than several, PROMPT_MIN_GAP). Built again from the prompts' states whenever one changes, so it always says where each
 * stands and offers buttons only for those still waiting.
 */
export function promptMessage(lines: readonly PromptLine[]): MessageView {
  const open = lines.filter(waiting);
  if (lines.length === 1) return singlePrompt(lines[0]!);
  const shown = lines.slice(0, MAX_IN_MESSAGE);
  const sections: Section[] = shown.map((p) => ({ text: [...asSpans(about(p)), ` · ${whichOf(p)}${statusNote(p)}`] }));
  if (lines.length > shown.length) sections.push({ text: [`and ${lines.length - shown.length} more: `, command("reflect"), " lists them all."] });
  sections.push({ text: WHY }, { text: PRIVATE });
  const buttons: Button[] = shown.filter(waiting).flatMap((p) => [
    { id: IDS.reflect, label: `Reflect on ${refLabel(p, shown)}`, value: p.promptId, style: "primary" as const },
    ...(p.isReporter ? [] : [{ id: IDS.notInvolved, label: `Not involved in ${refLabel(p, shown)}`, value: p.promptId }]),
  ]);
  if (open.length > 0) buttons.push({ id: IDS.later, label: "Remind me later", value: open.map((p) => p.promptId).join(",") });
  const title = open.length > 0 ? `${open.length} reflection${open.length === 1 ? " is" : "s are"} waiting for you` : "Your reflections";
  return { text: title, title, sections, buttons };
}

function singlePrompt(p: PromptLine): MessageView {
  if (!waiting(p)) {
    const title = `${p.ref}: ${closedTitle(p.status)}`;
    return { text: title, title, sections: [{ text: closedNote(p.status) }] };
  }
  const title = p.reminder ? `A reminder: your reflection on ${p.ref} is waiting` : `Time to reflect on ${p.ref}`;
  return {
    text: title,
    title,
    sections: [{ text: [...asSpans(about(p)), ` · ${whichOf(p)}`] }, { text: WHY }, { text: PRIVATE }],
    buttons: [
      { id: IDS.reflect, label: "Reflect now", value: p.promptId, style: "primary" },
      { id: IDS.later, label: "Remind me later", value: p.promptId },
      ...(p.isReporter ? [] : [{ id: IDS.notInvolved, label: "I wasn't involved", value: p.promptId, style: "danger" as const }]),
    ],
  };
}

const asSpans = (text: Text) => (typeof text === "string" ? [text] : [...text]);

function statusNote(p: PromptLine): string {
  if (waiting(p)) return p.reminder ? " (a reminder)" : "";
  return ` — ${closedTitle(p.status)}`;
}

function closedTitle(status: PromptStatus): string {
  switch (status) {
    case "answered":
      return "answered, thank you";
    case "withdrawn":
      return "you were not involved";
    case "expired":
      return "closed";
    default:
      return status;
  }
}

function closedNote(status: PromptStatus): Text {
  switch (status) {
    case "answered":
      return ["Answered, thank you. Your answers are saved for you alone; ", command("reflect export"), " gives you all of yours as a file."];
    case "withdrawn":
      return "Understood: you are no longer listed as involved, and you will not be asked about it again. The reporter has been told.";
    default:
      return ["This prompt has closed without an answer. ", command("reflect"), " lists any still waiting."];
  }
}

/** Asked after "Remind me later": when to ask again. The chosen prompts ride along in each button's value. */
export function laterChoices(ids: string): MessageView {
  return {
    text: "When shall I ask again?",
    sections: [{ text: "When shall I ask again? I will only ask in your working hours." }],
    buttons: SNOOZES.map((s) => ({ id: IDS.snooze, label: s.label, value: `${s.id}:${ids}` })),
  };
}

export function snoozedView(refs: readonly string[], when: string): MessageView {
  const text = `I will ask again about ${refs.join(", ")} on ${when}.`;
  return { text, sections: [{ text }] };
}

/** The answer form: the set's questions, then whether to share a lesson and keep it as CPD evidence. */
export function answerForm(p: Pick<PromptLine, "promptId" | "ref" | "summary" | "step" | "steps" | "questionSet">, maxLength: number): FormView {
  const questions = QUESTION_SETS[p.questionSet as QuestionSetId]?.questions ?? [];
  const inputs: Input[] = [
    ...questions.map((question, i): Input => ({ kind: "text", id: `q${i}`, label: question, multiline: true, maxLength, optional: true })),
    {
      kind: "text",
      id: "lesson",
      label: "A lesson to share with the team",
      hint: "Optional. Everything else you write here stays private to you.",
      multiline: true,
      maxLength,
      optional: true,
    },
    {
      kind: "select",
      id: "named",
      label: "Share the lesson",
      options: [
        { value: "anonymous", label: "Without my name" },
        { value: "named", label: "With my name" },
      ],
      initial: "anonymous",
    },
    {
      kind: "select",
      id: "cpd",
      label: "CPD evidence",
      options: [
        { value: "yes", label: "Keep as CPD evidence" },
        { value: "no", label: "Do not mark as CPD evidence" },
      ],
      initial: "yes",
    },
  ];
  return {
    id: IDS.form,
    title: `Reflect on ${p.ref}`,
    submitLabel: "Save",
    intro: [...asSpans(about(p)), ` · ${whichOf(p)}. Answer what helps you; your answers are yours alone.`],
    inputs,
    state: p.promptId,
  };
}

export function thanksView(ref: string, lessonFate: string | null): MessageView {
  const text = `Thank you: your reflection on ${ref} is saved, for you alone.`;
  return { text, sections: [{ text }, ...(lessonFate ? [{ text: lessonFate }] : [])] };
}

/** A lesson in the team's channel, under the incident's reference only. */
export function lessonPost(ref: string, lesson: string, author: PersonName | null): MessageView {
  return {
    text: `A lesson shared from ${ref}`,
    title: `A lesson shared from ${ref}`,
    sections: [{ text: lesson }],
    context: author ? ["Shared by ", mention(author)] : "Shared anonymously by someone who reflected on it.",
  };
}

/** A lesson from a restricted incident, to the lead, who may post it (reference and lesson only) with a button. */
export function lessonForLead(ref: string, lesson: string, author: PersonName | null, channelName: string, promptId: string): MessageView {
  return {
    text: `A lesson shared from ${ref} (restricted)`,
    title: `A lesson shared from ${ref}`,
    sections: [
      { text: lesson },
      { text: `${ref} is restricted, so the lesson came to you first. Posting it shows #${channelName} the reference and the lesson only: none of the incident's details, nor who shared it.` },
    ],
    context: author ? ["Shared by ", mention(author)] : "Shared anonymously by someone who reflected on it.",
    buttons: [{ id: IDS.postLesson, label: `Post in #${channelName}`, value: promptId, style: "primary" }],
  };
}

export function lessonPostedView(ref: string, channelName: string, lesson: string): MessageView {
  return { text: `Posted the lesson from ${ref} in #${channelName}`, sections: [{ text: lesson }, { text: `Posted in #${channelName}.` }] };
}

/** To the reporter: someone they named says they were not involved. */
export function notInvolvedNotice(ref: string, person: PersonName): MessageView {
  return {
    text: `Someone says they were not involved in ${ref}`,
    sections: [
      {
        text: [
          mention(person),
          ` says they were not involved in ${ref}, so they are no longer listed as involved and will not be asked to reflect on it. If that is wrong, you can add them again from `,
          command(`incident show ${ref}`),
          ".",
        ],
      },
    ],
  };
}

/** /reflect: what is waiting for me, with a button each, and what is coming. */
export function pendingView(lines: readonly PromptLine[], upcoming: readonly { ref: string; when: string }[]): MessageView {
  if (lines.length === 0 && upcoming.length === 0) {
    return { text: "No reflections are waiting for you.", sections: [{ text: "No reflections are waiting for you. When you are involved in an incident, I will ask you here." }] };
  }
  const shown = lines.slice(0, MAX_IN_MESSAGE);
  const sections: Section[] = shown.map((p) => ({ text: [...asSpans(about(p)), ` · ${whichOf(p)}`] }));
  if (lines.length > shown.length) sections.push({ text: `and ${lines.length - shown.length} more, after you answer these.` });
  if (lines.length === 0) sections.push({ text: "Nothing is waiting for you just now." });
  if (upcoming.length > 0) sections.push({ text: `Coming up: ${upcoming.map((u) => `${u.ref} on ${u.when}`).join("; ")}.` });
  const title = lines.length === 0 ? "Your reflections" : `${lines.length} reflection${lines.length === 1 ? " is" : "s are"} waiting for you`;
  return {
    text: title,
    title,
    sections,
    buttons: shown.map((p) => ({ id: IDS.reflect, label: `Reflect on ${refLabel(p, shown)}`, value: p.promptId, style: "primary" as const })),
    context: PRIVATE,
  };
}

export function exportedView(count: number, incidents: number, where: string): MessageView {
  const text =
    count === 0
      ? "You have no reflections to export yet."
      : `Your ${count} reflection${count === 1 ? "" : "s"} on ${incidents} incident${incidents === 1 ? "" : "s"} ${count === 1 ? "is" : "are"} in a Markdown file: ${where}.`;
  return { text, sections: [{ text }] };
}

/** /reflect team: counts only, never what anyone wrote. */
export function overviewView(o: {
  reports: readonly { person: PersonName; waiting: number; lapsed: number }[];
  teamName: string | null;
  figures: { sent: number; answered: number; days: number } | null;
  members: number;
  mayAskFigures: boolean;
}): MessageView {
  const sections: Section[] = [];
  if (o.reports.length === 0) sections.push({ text: "Nobody reports to you in Debrief, so there is nobody's progress to show you." });
  for (const r of o.reports) {
    const waiting = r.waiting === 0 ? "nothing waiting" : `${r.waiting} reflection${r.waiting === 1 ? "" : "s"} waiting`;
    sections.push({ text: [mention(r.person), `: ${waiting}${r.lapsed ? `; ${r.lapsed} closed unanswered lately` : ""}`] });
  }
  if (o.teamName && o.mayAskFigures) {
    sections.push({
      text: o.figures
        ? `#${o.teamName}, last ${o.figures.days} days: ${o.figures.answered} of ${o.figures.sent} reflection prompts answered.`
        : `#${o.teamName} has ${o.members} member${o.members === 1 ? "" : "s"}; team figures are shown only for teams of 5 or more, so they name nobody.`,
    });
  }
  return {
    text: "Reflections in your team",
    title: "Reflections in your team",
    sections,
    context: "Only counts: what anyone wrote is theirs alone. Who has not answered is shown only to their own line manager.",
  };
}
