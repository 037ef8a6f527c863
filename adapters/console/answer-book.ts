import type { Button, MessageAnswer, MessageView } from "../../src/views/view.ts";
import { pressCommand } from "./render.ts";

/** Where a message was printed: as a reply only the typist saw, or posted in a channel or direct message (`[#team]`, `[DM → sam]`). */
export type PrintedIn = { readonly kind: "reply" } | { readonly kind: "posted"; readonly where: string };

/** The buttons and questions kept: enough for any session, and a bound on a console left open for days. */
const KEPT = 2_000;

/**
 * What was printed under messages, by the line printed to press it (`/press reflect.answer R-3`). A terminal has no
 * buttons or inputs inside a message, so the session reads that line back here:
 *  - a submit line asks the message's questions there and then, and sends the answers as that message's form;
 *  - a press line gives back the button's own value, which may hold what one typed line cannot (Close anyway carries
 *    the incident's reference and the lesson on two lines; the printed line shows them on one);
 *  - the message a press changes is printed again where it was, `[#team] Debrief (edited): …`.
 * The session and the chat port share one book, as a message may arrive by either.
 */
export class AnswerBook {
  private readonly answers = new Map<string, MessageAnswer>();
  private readonly buttons = new Map<string, { readonly value: string; readonly printedIn: PrintedIn }>();

  remember(view: MessageView, printedIn: PrintedIn = { kind: "reply" }): void {
    if (view.answer) keep(this.answers, pressCommand(view.answer.submit), view.answer);
    const buttons: readonly Button[] = [...(view.answer ? [view.answer.submit] : []), ...(view.buttons ?? [])];
    for (const button of buttons) keep(this.buttons, pressCommand(button), { value: button.value, printedIn });
  }

  /** The questions under the message whose submit line this is. */
  find(buttonId: string, value: string): MessageAnswer | undefined {
    return this.answers.get(pressCommand({ id: buttonId, value }));
  }

  /** The button a typed `/press` line names, if it was printed here: its value as the core gave it, and where its message is. */
  button(buttonId: string, value: string): { readonly value: string; readonly printedIn: PrintedIn } | undefined {
    return this.buttons.get(pressCommand({ id: buttonId, value }));
  }
}

/** The latest printing of a line wins, and the oldest lines go first past KEPT. */
function keep<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value!);
}
