import type { MessageView, Section, Text } from "./view.ts";

/** A short reply to the person who acted. */
export const replyView = (text: Text, plain?: string): MessageView => ({
  text: plain ?? (typeof text === "string" ? text : "Debrief"),
  sections: [{ text }],
});

/** A refusal or failure, with what they typed given back so nothing is lost; `usage` shows the right form. */
export function problemView(problem: string, usage?: string, typed?: string): MessageView {
  const sections: Section[] = [{ text: problem }];
  if (usage) sections.push({ text: [{ code: usage }] });
  if (typed?.trim()) sections.push({ text: [{ strong: "You typed: " }, { code: typed }] });
  return { text: problem, sections };
}

/** The store did not answer: say nothing was saved and give back what they typed. */
/** The command could not be queued (Redis is down or too slow), so it was not run at all. */
export const notTakenView = (typed?: string): MessageView =>
  problemView("Sorry — Debrief could not take that command just now, so nothing was saved. Please try again in a moment.", undefined, typed);

export const unavailableView = (typed?: string): MessageView =>
  problemView("Sorry — Debrief could not reach its database, so nothing was saved. Please try again in a moment.", undefined, typed);
