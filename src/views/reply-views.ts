import type { MessageView, Section, Text } from "./view.ts";

/** A short reply to the person who acted. */
export const replyView = (text: Text, plain?: string): MessageView => ({
  text: plain ?? (typeof text === "string" ? text : "Debrief"),
  sections: [{ text }],
});

/** Bad input: what was wrong, the right form, and what they typed so nothing is lost. */
export function problemView(problem: string, usage: string, typed?: string): MessageView {
  const sections: Section[] = [{ text: problem }, { text: [{ code: usage }] }];
  if (typed?.trim()) sections.push({ text: [{ strong: "You typed: " }, { code: typed }] });
  return { text: problem, sections };
}

/** The store did not answer: say nothing was saved and give back what they typed. */
export function unavailableView(typed?: string): MessageView {
  const problem = "Sorry — Debrief could not reach its database, so nothing was saved. Please try again in a moment.";
  const sections: Section[] = [{ text: problem }];
  if (typed?.trim()) sections.push({ text: [{ strong: "You typed: " }, { code: typed }] });
  return { text: problem, sections };
}
