/**
 * Platform-neutral views. Adapters render them: Block Kit for Slack, Adaptive Cards for Teams, text for the console.
 * User text stays plain strings here; each renderer escapes it for its platform, so nobody can forge a mention.
 */

/**
 * A run of text: plain user-safe text, emphasis, code, a person, or a command to type. Views are stored as JSON in
 * pending deliveries, so a new kind of span or field is only ever added, optional, and old ones keep their meaning.
 */
export type Span =
  | string
  | { readonly strong: string }
  | { readonly code: string }
  /** A person: a mention where the platform has them (Slack `<@U1>`); `name` is their display name, when known (Teams). */
  | { readonly mention: string; readonly name?: string }
  /** Words to type to Debrief, without a platform's prefix: "action done A-7". Slack and the console put a slash before. */
  | { readonly command: string };
export type Text = string | readonly Span[];

/** A person as views name them: the platform's user id, and their display name when the use case has it. */
export interface PersonName {
  readonly userId: string;
  readonly name?: string;
}

export const mention = (person: PersonName): Span => (person.name ? { mention: person.userId, name: person.name } : { mention: person.userId });

export const command = (words: string): Span => ({ command: words });

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
  /** Questions answered in the message itself, after the sections (a reflection prompt answered where it arrives). */
  readonly answer?: MessageAnswer;
  readonly buttons?: readonly Button[];
  /** Small print under the message. */
  readonly context?: Text;
}

/**
 * Inputs shown in a message, sent together by pressing `submit` (Block Kit input blocks, an Adaptive Card's inputs).
 * The answers reach the core as a form submission: `submit.id` is the form id, `submit.value` its state.
 */
export interface MessageAnswer {
  readonly inputs: readonly Input[];
  readonly submit: Button;
}

export interface Option {
  readonly value: string;
  readonly label: string;
}

export type Input =
  | InputBase<"text"> & { readonly multiline?: boolean; readonly maxLength?: number; readonly initial?: string }
  | InputBase<"select"> & { readonly options: readonly Option[]; readonly initial?: string }
  | InputBase<"multiselect"> & { readonly options: readonly Option[]; readonly initial?: readonly string[] }
  | InputBase<"people"> & {
      readonly initial?: readonly string[];
      /** Exactly one person, e.g. an owner. */
      readonly single?: boolean;
      /** The most people that may be picked; the core refuses more anyway. */
      readonly maxSelected?: number;
    }
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

/**
 * Flattens rich text to plain text: people as `@` and what `nameOf` gives (their user id unless told otherwise), and
 * commands as typed in Slack and the console, after a slash.
 */
export function plainText(text: Text, nameOf: (userId: string, name?: string) => string = (id) => id): string {
  if (typeof text === "string") return text;
  return text
    .map((s) => {
      if (typeof s === "string") return s;
      if ("strong" in s) return s.strong;
      if ("code" in s) return s.code;
      if ("command" in s) return `/${s.command}`;
      return `@${nameOf(s.mention, s.name)}`;
    })
    .join("");
}
