import { parseDue } from "../domain/due.ts";
import type { FormErrors, FormValues } from "../views/view.ts";
import { titleProblem } from "./action-access.ts";

export type ReadActionForm = { ok: true; ownerUserId: string; dueAt: Date; title: string } | { ok: false; errors: FormErrors };

const people = (v: FormValues[string]): string[] => {
  if (typeof v === "string") return v.trim() ? [v.trim()] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.trim() !== "") : [];
};

/**
 * Checks the "Add an action" form, every problem beside its input. People inputs may give one id or several
 * (a multi-select on some platforms), so more than one owner is a problem to fix rather than a guess.
 */
export function readActionForm(values: FormValues, context: { now: Date; zone: string }): ReadActionForm {
  const errors: FormErrors = {};

  const owners = people(values.owner);
  if (owners.length === 0) errors.owner = "Who owns this action? Choose one person.";
  else if (owners.length > 1) errors.owner = "Choose one owner: one person sees an action through. Add another action for someone else.";

  const duePhrase = typeof values.due === "string" ? values.due : "";
  const due = parseDue(duePhrase, context);
  if (!due.ok) errors.due = due.problem;

  const title = typeof values.what === "string" ? values.what.trim() : "";
  const problem = titleProblem(title);
  if (problem) errors.what = problem;

  if (Object.keys(errors).length > 0 || !due.ok) return { ok: false, errors };
  return { ok: true, ownerUserId: owners[0]!, dueAt: due.dueAt, title };
}
