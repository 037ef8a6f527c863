import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { COMMAND_NAMES, type CommandName } from "../../../src/commands/command.ts";
import { commandInteraction } from "../interaction.ts";
import { show } from "../outcome.ts";
import { recordAck } from "../request-context.ts";
import type { ListenerDeps } from "./deps.ts";

// One listener for all four commands: Bolt tries every listener on every request, so fewer is faster.
const SLASH_COMMAND = new RegExp(`^/(${COMMAND_NAMES.join("|")})$`);

export function register(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, slashCommand(deps));
}

function slashCommand(deps: ListenerDeps) {
  return async function handleSlashCommand({
    ack,
    command,
    respond,
    client,
    context,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
    // Acknowledge before anything else: Slack shows an error after 3 s, and the empty ack adds no message.
    await ack();
    const name = command.command.slice(1) as CommandName;
    recordAck(deps.metrics, context, name);
    const outcome = await deps.debrief.command(commandInteraction(command), name, command.text);
    deps.metrics.commands.inc({ command: name, outcome: outcome.kind });
    await show(outcome, { respond, client, triggerId: command.trigger_id, userId: command.user_id });
  };
}
