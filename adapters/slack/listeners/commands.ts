import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { COMMAND_NAMES, type CommandName } from "../../../src/commands/command.ts";
import { parseCommand, unescapeSlack } from "../../../src/commands/parse.ts";
import { canDefer } from "../../../src/interaction.ts";
import { notTakenView } from "../../../src/views/reply-views.ts";
import { commandInteraction } from "../interaction.ts";
import { show } from "../outcome.ts";
import { toMessage } from "../render.ts";
import { recordAck, requestLog } from "../request-context.ts";
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
    const name = command.command.slice(1) as CommandName;
    const interaction = commandInteraction(command);

    if (canDefer(parseCommand(name, command.text))) {
      // Stored in the command queue, then acknowledged; a worker runs it and answers through the response_url.
      try {
        await deps.commands.defer({ interaction, name, text: command.text, replyTo: { responseUrl: command.response_url, userId: command.user_id } });
      } catch (err) {
        requestLog(deps.log, context).error({ err, command: name }, "could not queue a command");
        const view = notTakenView(unescapeSlack(command.text));
        await ack({ response_type: "ephemeral", ...toMessage(view) });
        recordAck(deps.metrics, context, name);
        deps.metrics.commands.inc({ command: name, outcome: "not_taken" });
        return;
      }
      await ack();
      recordAck(deps.metrics, context, name);
      deps.metrics.commandsQueued.inc({ command: name });
      return;
    }

    // A form must open within 3 s of the command, while its trigger_id lasts, so this process opens it. The empty
    // ack comes first: Slack shows an error after 3 s, and an empty ack adds no message.
    await ack();
    recordAck(deps.metrics, context, name);
    const outcome = await deps.debrief.command(interaction, name, command.text);
    deps.metrics.commands.inc({ command: name, outcome: outcome.kind });
    await show(outcome, { respond, client, triggerId: command.trigger_id, userId: command.user_id });
  };
}
