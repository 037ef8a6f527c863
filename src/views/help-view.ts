import { USAGE } from "../commands/parse.ts";
import { COMMAND_NAMES } from "../commands/command.ts";
import { RESTRICTED_RULE } from "../domain/harm.ts";
import type { MessageView } from "./view.ts";

export function helpView(): MessageView {
  return {
    text: "Debrief helps your team learn from incidents: log them, reflect on them, and follow up.",
    title: "Debrief",
    sections: [
      { text: "Debrief helps your team learn from incidents: log them here, reflect on them later, and make sure follow-up actions happen. Questions ask about the situation, not who is to blame." },
      ...COMMAND_NAMES.map((name) => ({ text: [{ code: USAGE[name] }] })),
      { text: `Restricted incidents (${RESTRICTED_RULE}) are announced by reference only; the details go straight to the team lead.` },
    ],
  };
}
