import type { RespondFn, webApi } from "@slack/bolt";
import type { Outcome } from "../../src/interaction.ts";
import type { MessageView } from "../../src/views/view.ts";
import { toMessage, toModal } from "./render.ts";

export interface Audience {
  /** The request's response_url, when it has one (commands and message buttons). */
  respond?: RespondFn | undefined;
  client: webApi.WebClient;
  /** Opens a modal; works once and only within 3 seconds of the request. */
  triggerId?: string | undefined;
  userId: string;
  /** A button pressed in a message: its response_url can replace that message. */
  pressedInMessage?: boolean;
}

/** Shows the user who acted what the core decided: a reply only they see, the pressed message changed, or a form. */
export async function show(outcome: Outcome, to: Audience): Promise<void> {
  if (outcome.kind === "form") {
    if (!to.triggerId) throw new Error("a form was asked for where Slack gave no trigger_id to open it");
    await to.client.views.open({ trigger_id: to.triggerId, view: toModal(outcome.form) });
    return;
  }
  if (outcome.replaces === "pressed" && to.pressedInMessage && to.respond) {
    // Replacing keeps the message where it was and as visible as it was: in the channel, or to one person.
    await to.respond({ replace_original: true, ...toMessage(outcome.view) });
    return;
  }
  await reply(outcome.view, to);
}

/** Ephemeral through the response_url; where there is none (Home tab buttons), a DM from the app instead. */
export async function reply(view: MessageView, to: Pick<Audience, "respond" | "client" | "userId">): Promise<void> {
  const message = toMessage(view);
  if (to.respond) await to.respond({ response_type: "ephemeral", replace_original: false, ...message });
  else await to.client.chat.postMessage({ channel: to.userId, ...message });
}
