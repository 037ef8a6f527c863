/**
 * In the console a person's user id is their name as typed after `@` (`@alice`), so names follow the command
 * parser's mention rule: lower-case letters, digits, `.`, `_` and `-`.
 */
const CONSOLE_NAME = /^[\p{L}\p{N}._-]+$/u;

/** The console name for what was typed (`Sam`, `@sam`), or null if it cannot be one. */
export function consoleName(typed: string): string | null {
  const name = typed.trim().replace(/^@/, "").toLowerCase();
  return CONSOLE_NAME.test(name) ? name : null;
}

/** A console name made from any string, e.g. the operating system's user name "John Smith" → "john-smith". */
export function toConsoleName(raw: string, fallback = "me"): string {
  const name = raw
    .toLowerCase()
    .replace(/[^\p{L}\p{N}._-]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  return name || fallback;
}
