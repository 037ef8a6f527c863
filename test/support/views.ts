import type { MessageView } from "../../src/views/view.ts";

/** A message answered where it arrives: two questions, the button that sends them, and another button. */
export const REFLECTION_PROMPT: MessageView = {
  text: "A reflection on INC-3",
  sections: [{ text: "What went well on the shift?" }],
  answer: {
    inputs: [
      { kind: "text", id: "went_well", label: "What went well?", multiline: true, hint: "A sentence or two." },
      {
        kind: "select",
        id: "confidence",
        label: "How confident are you now?",
        optional: true,
        options: [
          { value: "low", label: "Low" },
          { value: "high", label: "High" },
        ],
      },
    ],
    submit: { id: "reflect.answer", label: "Send", value: "R-3", style: "primary" },
  },
  buttons: [{ id: "reflect.snooze", label: "Later", value: "R-3" }],
  context: "Only you see your answers.",
};
