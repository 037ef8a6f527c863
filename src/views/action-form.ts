import { ACTION_TITLE_MAX } from "../domain/action.ts";
import { DUE_PHRASE_MAX } from "../domain/due.ts";
import type { FormView } from "./view.ts";

export const ACTION_FORM_ID = "action.new";

/** The small form behind "Add an action" on an incident; `state` carries the incident's reference to the submission. */
export function actionForm(incidentRef: string): FormView {
  return {
    id: ACTION_FORM_ID,
    title: "Add an action",
    submitLabel: "Add it",
    state: incidentRef,
    intro: `A follow-up action for ${incidentRef}: what will change, who will see it through, and by when. No names of people we support: use their reference.`,
    inputs: [
      { kind: "people", id: "owner", single: true, label: "Owner", hint: "One person, who will see it through. They are told by direct message." },
      { kind: "text", id: "due", label: "Due", hint: "by friday, in 3 days, tomorrow 5pm, 2026-12-01", maxLength: DUE_PHRASE_MAX },
      // One line, as it is listed one line per action.
      { kind: "text", id: "what", label: "What needs doing", maxLength: ACTION_TITLE_MAX },
    ],
  };
}
