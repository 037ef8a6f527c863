import { DateTime } from "luxon";
import type { Input, Option } from "../../src/views/view.ts";
import { consoleName } from "./names.ts";
import type { Paint } from "./paint.ts";
import { clean } from "./paint.ts";

/**
 * One form input asked as a question in the terminal, and the typed answer read back into the value a platform
 * form would submit: a string for text and select, string[] for multiselect and people, a Date for datetime.
 */
export type Answer = string | readonly string[] | Date | null;

export interface AnswerContext {
  /** The person's IANA zone: typed dates and times are in it. */
  readonly timeZone: string;
  readonly now: () => Date;
}

export type Parsed = { readonly ok: true; readonly value: Answer } | { readonly ok: false; readonly problem: string };

const DATE_TIME_FORMATS = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm"];
const DATE_TIME_SHOWN = "yyyy-MM-dd HH:mm";

/** What a skipped input submits, as Slack's forms do: null, or an empty list for the multi-value kinds. */
export function skipped(input: Input): Answer {
  return input.kind === "multiselect" || input.kind === "people" ? [] : null;
}

/** The input's initial value as an answer, or undefined when it has none worth offering. */
export function initialAnswer(input: Input): Answer | undefined {
  const initial = input.initial;
  if (initial === undefined || initial === "" || (Array.isArray(initial) && initial.length === 0)) return undefined;
  return initial;
}

export function isEmpty(answer: Answer | undefined): boolean {
  return answer === undefined || answer === null || answer === "" || (Array.isArray(answer) && answer.length === 0);
}

/** The question's lines: label, hint, the problem with the last answer, numbered options, and how to answer. */
export function questionLines(
  input: Input,
  ask: {
    readonly fallback: Answer | undefined;
    readonly problem?: string;
    readonly paint: Paint;
    readonly context: AnswerContext;
    /** Where it stands in a longer form ("3/9"), so a long form shows how far there is to go. */
    readonly position?: { readonly index: number; readonly count: number };
    /** How to answer, as said under the question before: the same words are not printed again. */
    readonly howShown?: string;
  },
): string[] {
  const { paint: p, fallback } = ask;
  const at = ask.position && ask.position.count > 1 ? `${ask.position.index + 1}/${ask.position.count} ` : "";
  const lines = [p.bold(`${at}${clean(input.label)}${input.optional ? " (optional)" : ""}`)];
  if (input.hint) lines.push(p.dim(`  ${clean(input.hint)}`));
  if (ask.problem) lines.push(p.problem(`  ✗ ${clean(ask.problem)}`));
  if (input.kind === "select" || input.kind === "multiselect") {
    input.options.forEach((option, i) => lines.push(`  ${i + 1}) ${clean(option.label)}`));
  }
  const how = howLine(input, fallback, ask.context);
  if (how !== ask.howShown) lines.push(p.dim(`  ${how}`));
  return lines;
}

/** How to answer a question, in brackets: what to type, what Enter does, and how to stop. */
export function howLine(input: Input, fallback: Answer | undefined, context: AnswerContext): string {
  const how = [howToAnswer(input, context)];
  if (!isEmpty(fallback)) how.push(`Enter keeps ${describeAnswer(input, fallback ?? null, context.timeZone)}`);
  else if (input.optional) how.push("Enter skips it");
  how.push("/cancel stops without sending");
  return `(${how.filter(Boolean).join("; ")})`;
}

/** A line ending in a backslash goes on to the next line, as in a shell: the way to type a multi-line answer. */
export const CONTINUES = /\\\s*$/;

function howToAnswer(input: Input, context: AnswerContext): string {
  switch (input.kind) {
    case "text": {
      const most = input.maxLength ? `, at most ${input.maxLength} characters` : "";
      if (input.multiline) return `one line, or end a line with \\ to add another${most}`;
      return input.maxLength ? `one line${most}` : "";
    }
    case "select":
      return "type a number or a name";
    case "multiselect":
      return "type numbers or names, separated by commas";
    case "people":
      return input.single ? "type one @name" : "type @names, separated by spaces or commas";
    case "datetime":
      return `type "now" or a date and time like ${shownDate(context.now(), context.timeZone)} (${context.timeZone})`;
  }
}

/** An answer as the person would recognise it: option labels, @names, a date in their zone. */
export function describeAnswer(input: Input, answer: Answer, timeZone: string): string {
  if (answer === null) return "nothing";
  if (answer instanceof Date) return shownDate(answer, timeZone);
  if (input.kind === "select" || input.kind === "multiselect") {
    const labels = (typeof answer === "string" ? [answer] : answer).map((v) => optionLabel(input.options, v));
    return clean(labels.join(", "));
  }
  if (input.kind === "people" && typeof answer !== "string") return answer.map((id) => `@${clean(id)}`).join(" ");
  return `"${clean(typeof answer === "string" ? answer : answer.join(", "))}"`;
}

/** Reads a typed, non-empty answer; a problem says what to type instead. */
export function parseAnswer(input: Input, typed: string, context: AnswerContext): Parsed {
  switch (input.kind) {
    case "text":
      return input.maxLength !== undefined && typed.length > input.maxLength
        ? fail(`That is ${typed.length} characters; the most is ${input.maxLength}, so it needs ${typed.length - input.maxLength} fewer. Please shorten it.`)
        : ok(typed);
    case "select": {
      const option = findOption(input.options, typed);
      return option ? ok(option.value) : fail(`"${typed}" is not one of the choices; type a number from 1 to ${input.options.length} or a name.`);
    }
    case "multiselect": {
      const values: string[] = [];
      for (const word of typed.split(",").map((w) => w.trim()).filter(Boolean)) {
        const option = findOption(input.options, word);
        if (!option) return fail(`"${word}" is not one of the choices; type numbers from 1 to ${input.options.length} or names, separated by commas.`);
        if (!values.includes(option.value)) values.push(option.value);
      }
      return ok(values);
    }
    case "people": {
      const names: string[] = [];
      for (const word of typed.split(/[\s,]+/).filter(Boolean)) {
        const name = consoleName(word);
        if (!name) return fail(`"${word}" is not a name; type names like @sam, separated by spaces or commas.`);
        if (!names.includes(name)) names.push(name);
      }
      if (input.single && names.length > 1) return fail("Name one person here, like @sam.");
      return ok(names);
    }
    case "datetime": {
      if (typed.toLowerCase() === "now") return ok(context.now());
      for (const format of DATE_TIME_FORMATS) {
        const when = DateTime.fromFormat(typed, format, { zone: context.timeZone });
        if (when.isValid) return ok(when.toJSDate());
      }
      return fail(`"${typed}" is not a date and time; type "now" or one like ${shownDate(context.now(), context.timeZone)}.`);
    }
  }
}

/** An option by its number in the list, its value or its label (any case). */
function findOption(options: readonly Option[], typed: string): Option | undefined {
  if (/^\d+$/.test(typed)) return options[Number(typed) - 1];
  const wanted = typed.toLowerCase();
  return options.find((o) => o.value.toLowerCase() === wanted) ?? options.find((o) => o.label.toLowerCase() === wanted);
}

function optionLabel(options: readonly Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

function shownDate(date: Date, timeZone: string): string {
  return DateTime.fromJSDate(date, { zone: timeZone }).toFormat(DATE_TIME_SHOWN);
}

const ok = (value: Answer): Parsed => ({ ok: true, value });
const fail = (problem: string): Parsed => ({ ok: false, problem });
