import type { MessageAnswer, MessageView } from "../../src/views/view.ts";

/**
 * The questions shown in messages, by the submit line printed under them (`/press reflect.answer R-3`). A terminal
 * has no inputs inside a message, so typing that line asks the questions there and then; the session and the chat
 * port share one book, as a prompt may arrive by either.
 */
export class AnswerBook {
  private readonly answers = new Map<string, MessageAnswer>();

  remember(view: MessageView): void {
    if (view.answer) this.answers.set(key(view.answer.submit.id, view.answer.submit.value), view.answer);
  }

  find(buttonId: string, value: string): MessageAnswer | undefined {
    return this.answers.get(key(buttonId, value));
  }
}

const key = (buttonId: string, value: string) => `${buttonId} ${value}`;
