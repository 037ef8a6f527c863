/** A person named in text the core reads, as adapters write them (src/core/inbound.ts): `<@user-id>`. */
const MENTION = /<@([^<>\s]+)>/g;

/** The user ids mentioned in a text, each once, in the order they first appear. */
export function mentionedIds(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(MENTION), (m) => m[1]!))];
}

/** The text with each mention written as `@` and the person's name, for text people read, such as a summary. */
export function withNames(text: string, nameOf: (userId: string) => string): string {
  return text.replace(MENTION, (_, userId: string) => `@${nameOf(userId)}`);
}
