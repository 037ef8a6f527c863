import type { Logger } from "pino";
import type { CommandAnswerer, Debrief } from "../../src/interaction.ts";
import { replyView } from "../../src/views/reply-views.ts";
import type { MessageView } from "../../src/views/view.ts";
import { logFailure, postToResponseUrl, ResponseUrlError, userMessage } from "./errors.ts";
import { toMessage } from "./render.ts";
import type { SlackMetrics } from "./request-context.ts";

// Slack's response_urls answer in well under a second; one that hangs is tried again rather than holding a worker.
const RESPONSE_URL_TIMEOUT_MS = 10_000;

/**
 * Answers a slash command that the web process queued: runs it through the core, then posts the reply to the
 * command's response_url. A failed post throws, so the queue tries again; running the command again is safe, since the
 * core answers a request it has done with what it answered the first time (src/requests/once.ts).
 */
export function slackCommandAnswerer({ debrief, metrics, log }: { debrief: Debrief; metrics: SlackMetrics; log: Logger }): CommandAnswerer {
  return async ({ interaction, name, text, replyTo }) => {
    let view: MessageView;
    try {
      const outcome = await debrief.command(interaction, name, text);
      metrics.commands.inc({ command: name, outcome: outcome.kind });
      // Commands that open forms are answered where they arrive (see canDefer); this is for safety, not a path in use.
      view = outcome.kind === "reply" ? outcome.view : replyView(`Type /${name} again to open the form.`);
    } catch (err) {
      // The core answers its own failures; this is the last stop, and the user hears without a stack trace.
      logFailure(log, err, { command: name }, "queued command");
      metrics.commands.inc({ command: name, outcome: "error" });
      view = { text: userMessage(err) };
    }
    if (!replyTo.responseUrl) throw new ResponseUrlError("the queued command carries no response_url to answer");
    await postToResponseUrl(replyTo.responseUrl, toMessage(view), { timeoutMs: RESPONSE_URL_TIMEOUT_MS, what: `the reply to /${name}` });
    log.debug({ command: name, userId: interaction.actor.userId }, "answered a queued command");
  };
}
