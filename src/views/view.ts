/**
 * Platform-neutral views. Adapters render them: Block Kit for Slack, Adaptive Cards for Teams, text for the console.
 * User text stays plain strings here; each renderer escapes it for its platform, so nobody can forge a mention.
 */

/** A run of text: plain user-safe text, emphasis, or a person the renderer turns into a mention or a name. */
export type Span = string | { readonly strong: string } | { readonly mention: string } | { readonly code: string };
export type Text = string | readonly Span[];

export interface Field {
  readonly label: string;
  readonly value: Text;
}

export interface Section {
  readonly text?: Text;
  readonly fields?: readonly Field[];
}

export interface Button {
  /** Stable id the adapter routes on, e.g. "incident.details". */
  readonly id: string;
  readonly label: string;
  /** Carried back when pressed, e.g. an incident reference. */
  readonly value: string;
  readonly style?: "primary" | "danger";
}

export interface MessageView {
  /** One-line plain summary: the notification text and what a renderer falls back to. */
  readonly text: string;
  readonly title?: string;
  readonly sections?: readonly Section[];
  readonly buttons?: readonly Button[];
  /** Small print under the message. */
  readonly context?: Text;
}

export interface Option {
  readonly value: string;
  readonly label: string;
}

export type Input =
  | InputBase<"text"> & { readonly multiline?: boolean; readonly maxLength?: number; readonly initial?: string }
  | InputBase<"select"> & { readonly options: readonly Option[]; readonly initial?: string }
  | InputBase<"multiselect"> & { readonly options: readonly Option[]; readonly initial?: readonly string[] }
  | InputBase<"people"> & { readonly initial?: readonly string[]; /** Exactly one person, e.g. an owner. */ readonly single?: boolean }
  | InputBase<"datetime"> & { readonly initial?: Date };

interface InputBase<K extends string> {
  readonly kind: K;
  /** Stable id; submitted values are keyed by it. */
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
  readonly optional?: boolean;
}

export interface FormView {
  /** Routes the submission, e.g. "incident.form". */
  readonly id: string;
  readonly title: string;
  readonly submitLabel: string;
  readonly intro?: Text;
  readonly inputs: readonly Input[];
  /** Opaque state carried through the form, e.g. the channel it was opened from. */
  readonly state?: string;
}

/** What a user submitted: text and select inputs give a string, multi-selects and people give string[], dates a Date. */
export type FormValues = Record<string, string | readonly string[] | Date | null | undefined>;

/** Errors keyed by input id, shown inline beside the input. */
export type FormErrors = Record<string, string>;

/** Flattens rich text to plain text, naming people by the given function (console, notifications). */
export function plainText(text: Text, nameOf: (userId: string) => string = (id) => id): string {
  if (typeof text === "string") return text;
  return text
    .map((s) =>
      typeof s === "string" ? s : "strong" in s ? s.strong : "code" in s ? s.code : `@${nameOf(s.mention)}`,
    )
    .join("");
}
