import { RESTRICTED_RULE } from "../domain/harm.ts";
import type { MessageView } from "./view.ts";

/** What Debrief can do: each command's forms, as its feature registered them. */
export function helpView(usages: readonly string[]): MessageView {
  return {
    text: "Debrief helps your team learn from incidents: log them, reflect on them, and follow up.",
    title: "Debrief",
    sections: [
      { text: "Debrief helps your team learn from incidents: log them here, reflect on them later, and make sure follow-up actions happen. Questions ask about the situation, not who is to blame." },
      ...usages.map((usage) => ({ text: [{ code: usage }] })),
      { text: `Restricted incidents (${RESTRICTED_RULE}) are announced by reference only; the details go straight to the team lead.` },
    ],
  };
}
