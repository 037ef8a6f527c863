/**
 * Free text as people type it, made fit to keep: the core cleans everything it receives once, where it comes in
 * (src/create-debrief.ts), and each use case holds its texts to the limits named beside their domain types.
 */

// C0 controls but the line feed, DEL and the C1 controls. A NUL is refused by Postgres; the rest move a terminal's
// cursor, hide text or mean nothing to a reader.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Embeddings, overrides and isolates reorder everything after them on the line, the bot's own words included, so a
// reference or a name can be made to read as another. The marks (U+200E, U+200F) only set the direction of one spot,
// which right-to-left writers need, and are kept.
const DIRECTION_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

// Invisible and meaning nothing to a reader, but able to hide inside a word, a name or a reference: the zero-width space,
// the word joiner and the byte order mark. The zero-width joiner and non-joiner stay: emoji and several scripts need them.
const INVISIBLES = /[\u200b\u2060\ufeff]/g;

// The line and paragraph separators are line breaks by another name; some clients show them as one, some not at all.
const SEPARATORS = /[\u2028\u2029]/g;

// Half of a surrogate pair is no character. Postgres refuses it inside JSON (the audit log, a message's view), so it
// becomes U+FFFD, as saving it as UTF-8 in a text column would make it anyway.
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as typed, without what cannot be stored or shown safely: line breaks are kept (a Windows or old Mac break
 * becomes `\n`, and so does a line or paragraph separator), a tab becomes a space as it would look, other control,
 * invisible and direction-override characters go, and half a surrogate pair becomes U+FFFD.
 */
export function cleanText(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").replace(SEPARATORS, "\n").replace(/\t/g, " ");
  return withoutDirectionControls(lines.replace(CONTROLS, "").replace(INVISIBLES, "").replace(LONE_SURROGATES, "\ufffd"));
}

/** Text without the characters that reorder what follows them; renderers use it for text stored before cleaning. */
export function withoutDirectionControls(text: string): string {
  return text.replace(DIRECTION_CONTROLS, "");
}

/** A form's answers with every string cleaned, in lists too; dates and empty answers as they came. */
export function cleanValues<T extends Record<string, unknown>>(values: T): T {
  const clean = (value: unknown): unknown => (typeof value === "string" ? cleanText(value) : value);
  return Object.fromEntries(Object.entries(values).map(([id, value]) => [id, Array.isArray(value) ? value.map(clean) : clean(value)])) as T;
}

/** How long a text is as a person counts it: an emoji is one character, not two. */
export const characterCount = (text: string): number => Array.from(text).length;

/**
 * The refusal for a text past its limit, naming the limit and how long it is ("the lesson" as `what`), or undefined
 * when it fits. Callers add what to do instead, and the reply gives back what was typed.
 */
export function overLimit(what: string, text: string, max: number): string | undefined {
  const length = characterCount(text);
  return length > max ? `Keep ${what} to ${max} characters; this one has ${length}.` : undefined;
}
