import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from "@slack/bolt";
import type { CommandName } from "../../../src/interaction.ts";
import { commandInteraction } from "../interaction.ts";
import { show } from "../outcome.ts";
import { toMessage } from "../render.ts";
import { recordAck } from "../request-context.ts";
import { coreText } from "../text.ts";
import type { ListenerDeps } from "./deps.ts";

export function register(app: App, deps: ListenerDeps): void {
  // One listener for every command: Bolt tries every listener on every request, so fewer is faster.
  app.command(new RegExp(`^/(${deps.inbound.commandNames.join("|")})$`), slashCommand(deps));
}

/** Hands the command to the core's inbound pipeline and acknowledges as it says: queued, not taken, or answered now. */
function slashCommand(deps: ListenerDeps) {
  return async function handleSlashCommand({ ack, command, respond, client, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
    const name = command.command.slice(1) as CommandName;
    const receipt = await deps.inbound.command({
      interaction: commandInteraction(command),
      name,
      text: coreText(command.text),
      replyTo: { responseUrl: command.response_url, userId: command.user_id },
    });
    // An empty ack adds no message; the answer comes through the response_url, or as a form.
    await ack(receipt.kind === "not_taken" ? { response_type: "ephemeral", ...toMessage(receipt.view) } : undefined);
    recordAck(deps.inbound, context, name);
    if (receipt.kind !== "answering") return;
    await show(await receipt.outcome, { respond, client, triggerId: command.trigger_id, userId: command.user_id });
  };
}
