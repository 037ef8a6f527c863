import { withoutDirectionControls } from "../../src/domain/text.ts";

/** ANSI emphasis for a terminal; every function is the identity when colour is off, so pipes and logs stay plain text. */
export interface Paint {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly hint: (text: string) => string;
  readonly problem: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) => (text ? `\x1b[${open}m${text}\x1b[${close}m` : text);

const PLAIN: Paint = { bold: (t) => t, dim: (t) => t, hint: (t) => t, problem: (t) => t };
const COLOURED: Paint = { bold: ansi(1, 22), dim: ansi(2, 22), hint: ansi(36, 39), problem: ansi(31, 39) };

export const paint = (color: boolean): Paint => (color ? COLOURED : PLAIN);

/**
 * Removes control characters (ESC, CR, …) and direction overrides from text that came from users, keeping tabs and
 * new lines: the console's equivalent of escaping, so nobody can move the cursor, reorder a line or forge output
 * through the bot. Text stored before the core cleaned what came in may still hold them.
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return withoutDirectionControls(text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ""));
}

/** Puts a prefix before the first line and indents the rest under it, so a multi-line message reads as one. */
export function prefixed(prefix: string, lines: readonly string[]): string[] {
  const [first = "", ...rest] = lines;
  return [`${prefix}${first}`, ...rest.map((line) => (line ? `  ${line}` : line))];
}
