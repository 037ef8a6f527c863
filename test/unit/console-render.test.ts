import { describe, expect, it } from "vitest";
import { pressCommand, renderMessage, renderText } from "../../adapters/console/render.ts";
import type { MessageView } from "../../src/views/view.ts";
import { REFLECTION_PROMPT } from "../support/views.ts";

const LOGGED: MessageView = {
  text: "INC-3 logged",
  title: "INC-3 logged: Missed evening meds",
  sections: [
    { text: ["Reported by ", { mention: "alice" }, " — ", { strong: "restricted" }] },
    { fields: [{ label: "Category", value: "Medication" }, { label: "Harm", value: "Low" }] },
  ],
  buttons: [
    { id: "incident.details", label: "Add details", value: "INC-3", style: "primary" },
    { id: "action.add", label: "Add an action", value: "INC-3" },
  ],
  context: "Only the people involved can see the details.",
};

describe("console renderer", () => {
  it("renders title, section text, fields as 'Label: value', buttons as /press hints and the small print", () => {
    expect(renderMessage(LOGGED)).toEqual([
      "INC-3 logged: Missed evening meds",
      "Reported by @alice — restricted",
      "Category: Medication",
      "Harm: Low",
      "  ▸ Add details (press: /press incident.details INC-3)",
      "  ▸ Add an action (press: /press action.add INC-3)",
      "Only the people involved can see the details.",
    ]);
  });

  it("names mentioned people with nameOf", () => {
    const lines = renderMessage({ text: "@sam owns it", sections: [{ text: [{ mention: "U1" }, " owns it"] }] }, { nameOf: (id) => (id === "U1" ? "sam" : id) });
    expect(lines).toEqual(["@sam owns it"]);
  });

  it("shows the summary text where there is no title or body, without repeating a line", () => {
    expect(renderMessage({ text: "Nothing to reflect on." })).toEqual(["Nothing to reflect on."]);
    expect(renderMessage({ text: "Details of INC-1", sections: [{ fields: [{ label: "Harm", value: "Low" }] }] })).toEqual([
      "Details of INC-1",
      "Harm: Low",
    ]);
    expect(renderMessage({ text: "INC-1 closed", sections: [{ text: "INC-1 closed" }] })).toEqual(["INC-1 closed"]);
    expect(renderMessage({ text: "Saved", title: "Saved" })).toEqual(["Saved"]);
    expect(renderMessage({ text: "line one\nline two" })).toEqual(["line one", "line two"]);
  });

  it("indents the further lines of a multi-line field value", () => {
    expect(renderMessage({ text: "INC-1 closed", title: "INC-1 closed", sections: [{ fields: [{ label: "Lesson", value: "first\nsecond" }] }] })).toEqual([
      "INC-1 closed",
      "Lesson: first",
      "  second",
    ]);
  });

  it("uses no ANSI colour unless asked, and some when asked", () => {
    const plain = renderMessage(LOGGED).join("\n");
    const coloured = renderMessage(LOGGED, { color: true }).join("\n");
    expect(plain).not.toContain("\x1b[");
    expect(coloured).toContain("\x1b[1mINC-3 logged: Missed evening meds\x1b[22m");
  });

  it("strips control characters from user text, so nobody can drive the terminal through the bot", () => {
    const lines = renderMessage({ text: "", sections: [{ fields: [{ label: "Summary", value: "Fell\x1b[2J\x1b]0;pwned\x07 over\r" }] }] });
    expect(lines).toEqual(["Summary: Fell[2J]0;pwned over"]);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point of this test
    expect(lines.join("")).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it("prints a summary holding a right-to-left override in the order it was typed, so it cannot reorder the line", () => {
    const summary = "Fell \u202eINC-9 see\u2066 garden\u2069";
    const lines = renderMessage({ text: "", title: `INC-3 logged: ${summary}`, sections: [{ text: [{ strong: summary }], fields: [{ label: "Summary", value: summary }] }] });
    expect(lines).toEqual(["INC-3 logged: Fell INC-9 see garden", "Fell INC-9 see garden", "Summary: Fell INC-9 see garden"]);
  });

  it("writes a button as the line that presses it", () => {
    expect(pressCommand({ id: "incident.details", value: "INC-3" })).toBe("/press incident.details INC-3");
    expect(pressCommand({ id: "reflect.open", value: "" })).toBe("/press reflect.open");
  });

  it("renders rich text outside a message", () => {
    expect(renderText(["Tell us ", { strong: "what happened" }, " to ", { code: "INC-3" }])).toEqual(["Tell us what happened to INC-3"]);
  });
});

describe("console renderer, for views without platform syntax", () => {
  it("shows a command to type as the console's slash command", () => {
    const lines = renderMessage({ text: "Done?", sections: [{ text: ["Mark it done with ", { command: "action done A-7 [note]" }, "."] }] });
    expect(lines).toEqual(["Done?", "Mark it done with /action done A-7 [note]."]);
  });

  it("names a person by their console name, which is what is typed after @, even where the view has a display name", () => {
    const view: MessageView = { text: "Owner set", sections: [{ text: [{ mention: "sam", name: "Sam Jones" }, " owns it"] }] };
    expect(renderMessage(view)).toEqual(["Owner set", "@sam owns it"]);
    expect(renderMessage(view, { nameOf: (id, name) => name ?? id })).toEqual(["Owner set", "@Sam Jones owns it"]);
  });

  it("lists the questions a message asks, with their choices, and the line that sends the answers first among the buttons", () => {
    const lines = renderMessage(REFLECTION_PROMPT);
    expect(lines).toEqual([
      "A reflection on INC-3",
      "What went well on the shift?",
      "  ? What went well?",
      "    A sentence or two.",
      "  ? How confident are you now? (optional)",
      "    one of: Low, High",
      "  ▸ Send (press: /press reflect.answer R-3)",
      "  ▸ Later (press: /press reflect.snooze R-3)",
      "Only you see your answers.",
    ]);
  });
});
