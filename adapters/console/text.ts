import { consoleName } from "./names.ts";

// A console mention is `@` and a name (adapters/console/names.ts); `@Sam` is the person who typed /as sam.
const MENTION = /(^|\s)@([\p{L}\p{N}._-]+)/gu;

/** A typed line as the core reads it (src/core/inbound.ts): each `@name` written `<@name>`, the name in lower case. */
export function coreText(typed: string): string {
  return typed.replace(MENTION, (whole, before: string, name: string) => {
    const id = consoleName(name);
    return id ? `${before}<@${id}>` : whole;
  });
}

/** Text from the core shown as the console types it: `<@sam>` back to `@sam`. */
export function typedText(text: string): string {
  return text.replace(/<@([^<>\s]+)>/g, "@$1");
}
