import type { Outcome, Submission } from "../../src/interaction.ts";
import { plainText, type FormErrors, type FormView, type MessageView } from "../../src/views/view.ts";

/** Everything a reader of the view sees, as plain text, people named by their user ids, buttons as [label]. */
export function textOf(view: MessageView): string {
  const parts: string[] = [view.title ?? "", view.text];
  for (const section of view.sections ?? []) {
    if (section.text !== undefined) parts.push(plainText(section.text));
    for (const field of section.fields ?? []) parts.push(`${field.label}: ${plainText(field.value)}`);
  }
  if (view.context !== undefined) parts.push(plainText(view.context));
  for (const button of view.buttons ?? []) parts.push(`[${button.label}]`);
  return parts.join("\n");
}

export function replyOf(outcome: Outcome): MessageView {
  if (outcome.kind !== "reply") throw new Error(`expected a reply, got a form: ${outcome.form.title}`);
  return outcome.view;
}

export function formOf(outcome: Outcome): FormView {
  if (outcome.kind !== "form") throw new Error(`expected a form, got a reply: ${outcome.view.text}`);
  return outcome.form;
}

export function doneOf(submission: Submission): MessageView {
  if (submission.kind !== "done") throw new Error(`expected the form to be saved, got errors: ${JSON.stringify(submission.errors)}`);
  return submission.view;
}

export function errorsOf(submission: Submission): FormErrors {
  if (submission.kind !== "errors") throw new Error(`expected errors, but the form was saved: ${submission.view.text}`);
  return submission.errors;
}
