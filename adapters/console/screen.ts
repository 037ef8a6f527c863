import { clearScreenDown, cursorTo, moveCursor, type Interface } from "node:readline";
import type { Writable } from "node:stream";

/** How long after a press the same message, revised by a delivery, counts as already shown. */
const ECHO_MS = 10_000;

/**
 * The terminal that the session and the chat port both print to. The bot's own messages (a reflection prompt, a
 * channel post) come at any moment, also while a prompt is waiting for a line: then the prompt and whatever has been
 * typed are cleared, the message printed, and the prompt drawn again under it with the typed text, so a direct message
 * never lands in the middle of `sam> ` or of an answer being typed, and nothing typed is lost.
 */
export class Screen {
  readonly color: boolean;
  private readline: Interface | undefined;
  /** A prompt is on screen, waiting for a line. */
  private waiting = false;
  private pressedEcho: { text: string; at: number } | undefined;

  constructor(
    readonly output: Writable,
    color?: boolean,
  ) {
    this.color = color ?? ((output as Writable & { isTTY?: boolean }).isTTY === true && process.env["NO_COLOR"] === undefined);
  }

  /** The session's line editor, when it reads from a terminal (from a pipe there is no prompt to keep). */
  attach(readline: Interface): void {
    this.readline = readline;
    readline.on("line", () => (this.waiting = false));
    readline.on("close", () => {
      this.waiting = false;
      this.readline = undefined;
    });
  }

  prompt(text: string): void {
    if (!this.readline) return;
    this.readline.setPrompt(text);
    this.readline.prompt();
    this.waiting = true;
  }

  /** Puts text on the line being typed, to edit (a terminal only). */
  prefill(text: string): boolean {
    if (!this.readline || !this.waiting) return false;
    this.readline.write(text);
    return true;
  }

  print(lines: readonly string[]): void {
    const text = `${lines.join("\n")}\n`;
    const readline = this.readline;
    if (!readline || !this.waiting) {
      this.output.write(text);
      return;
    }
    // Back to where the prompt starts (typed text may wrap over several rows), clear it, print, then draw it again.
    moveCursor(this.output, 0, -readline.getCursorPos().rows);
    cursorTo(this.output, 0);
    clearScreenDown(this.output);
    this.output.write(text);
    // readline redraws from `prevRows` rows above the cursor, as it last left it; the prompt now starts on a fresh row.
    const internals = readline as unknown as { prevRows?: number };
    if (typeof internals.prevRows === "number") internals.prevRows = 0;
    readline.prompt(true);
  }

  /** The pressed message as the session printed it: a delivery revising that same message to the same words adds nothing. */
  pressed(plain: string): void {
    this.pressedEcho = { text: plain, at: Date.now() };
  }

  /** True, once, when `plain` is what a press printed a moment ago. */
  alreadyShown(plain: string): boolean {
    const echo = this.pressedEcho;
    if (!echo || echo.text !== plain || Date.now() - echo.at > ECHO_MS) return false;
    this.pressedEcho = undefined;
    return true;
  }
}
