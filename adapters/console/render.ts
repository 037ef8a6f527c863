import type { Button, Input, MessageView, Text } from "../../src/views/view.ts";
import { clean, paint, type Paint } from "./paint.ts";
import { typedText } from "./text.ts";

/** How a mentioned person is named: `@` and this. */
type NameOf = (userId: string, name?: string) => string;

export interface RenderOptions {
  /**
   * The name shown for a mentioned person, given their user id and the display name the view has for them, if any.
   * By default the id: in the console the id is the person's name, and `@id` is what is typed to name them back.
   */
  readonly nameOf?: NameOf;
  /** ANSI emphasis; only when writing to a terminal. */
  readonly color?: boolean;
}

/** A message view as plain text lines: title, sections, fields as "Label: value", questions, buttons as `/press` hints. */
export function renderMessage(view: MessageView, options: RenderOptions = {}): string[] {
  const p = paint(options.color ?? false);
  const nameOf = options.nameOf ?? byId;
  const text = (t: Text): string[] => flatten(t, nameOf, p.bold).split("\n");

  const lines: string[] = [];
  const title = view.title ? clean(view.title) : "";
  const sections = view.sections ?? [];
  const firstSection = sections[0]?.text === undefined ? "" : flatten(sections[0].text, nameOf, (t) => t);
  // The summary text stands in for a missing title or body; it is left out where the first section already says it
  // ("When shall I ask again?" above "When shall I ask again? I will only ask in your working hours.").
  if (title) lines.push(p.bold(title));
  const summary = clean(view.text);
  if (summary && summary !== title && !firstSection.startsWith(summary) && (!title || sections.length === 0)) lines.push(...text(view.text));
  for (const section of sections) {
    if (section.text !== undefined) lines.push(...text(section.text));
    for (const field of section.fields ?? []) {
      const [first = "", ...more] = text(field.value);
      lines.push(`${clean(field.label)}: ${first}`, ...more.map((line) => `  ${line}`));
    }
  }
  for (const input of view.answer?.inputs ?? []) lines.push(...inputLines(input, p));
  const buttons = [...(view.answer ? [view.answer.submit] : []), ...(view.buttons ?? [])];
  for (const button of buttons) lines.push(p.hint(`  ▸ ${clean(button.label)} (press: ${pressCommand(button)})`));
  if (view.context !== undefined) lines.push(...text(view.context).map(p.dim));
  return lines;
}

/** Rich text as lines, for text outside a message such as a form's intro. */
export function renderText(text: Text, options: RenderOptions = {}): string[] {
  return flatten(text, options.nameOf ?? byId, paint(options.color ?? false).bold).split("\n");
}

const byId: NameOf = (id) => id;

/** An input shown in a message, as the question it asks: label, then its choices or hint. */
function inputLines(input: Input, p: Paint): string[] {
  const lines = [`  ? ${clean(input.label)}${input.optional ? " (optional)" : ""}`];
  if (input.kind === "select" || input.kind === "multiselect") {
    lines.push(p.dim(`    ${input.kind === "select" ? "one of" : "any of"}: ${input.options.map((o) => clean(o.label)).join(", ")}`));
  }
  if (input.hint) lines.push(p.dim(`    ${clean(input.hint)}`));
  return lines;
}

/** What to type in the console to press a button: the console has no buttons, so it says the equivalent line. */
export function pressCommand(button: Pick<Button, "id" | "value">): string {
  return clean(`/press ${button.id} ${button.value}`.replace(/\s+/g, " ").trim());
}

/** Rich text as one string: mentions as `@name`, commands after a slash, strong spans bold on a terminal, user text cleaned. */
function flatten(text: Text, nameOf: NameOf, bold: (t: string) => string): string {
  if (typeof text === "string") return clean(typedText(text));
  return text
    .map((span) => {
      if (typeof span === "string") return clean(typedText(span));
      if ("strong" in span) return bold(clean(span.strong));
      if ("code" in span) return clean(typedText(span.code));
      if ("command" in span) return clean(`/${span.command}`);
      return `@${clean(nameOf(span.mention, span.name))}`;
    })
    .join("");
}
