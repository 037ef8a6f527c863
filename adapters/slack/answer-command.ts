import type { Logger } from "pino";
import type { CommandAnswerer, Debrief } from "../../src/interaction.ts";
import { replyView } from "../../src/views/reply-views.ts";
import type { MessageView } from "../../src/views/view.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { userMessage } from "./errors.ts";
import { fallbackText, toBlocks } from "./render.ts";
import type { SlackMetrics } from "./request-context.ts";

// Slack's response_urls answer in well under a second; one that hangs is tried again rather than holding a worker.
const RESPONSE_URL_TIMEOUT_MS = 10_000;

export class ResponseUrlError extends Error {
  override readonly name = "ResponseUrlError";
}

/**
 * Answers a slash command that the web process queued: runs it through the core, then posts the reply to the
 * command's response_url, which Slack accepts for 30 minutes after the command. A failed post throws, so the queue
 * tries again; running the command again is safe, since a quick log finds the incident its first run stored.
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
      if (err instanceof DomainError) log.info({ code: err.code, command: name }, "queued command refused: %s", err.message);
      else log.error({ err, command: name }, "queued command failed");
      metrics.commands.inc({ command: name, outcome: "error" });
      view = { text: userMessage(err) };
    }
    const responseUrl = replyTo.responseUrl;
    if (!responseUrl) throw new ResponseUrlError("the queued command carries no response_url to answer");
    const res = await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text: fallbackText(view), blocks: toBlocks(view) }),
      signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
    });
    // Read to the end, so the connection goes back to the pool.
    const answer = await res.text();
    if (!res.ok) throw new ResponseUrlError(`Slack refused the reply to /${name} (HTTP ${res.status}: ${answer.slice(0, 100)})`);
    log.debug({ command: name, userId: interaction.actor.userId }, "answered a queued command");
  };
}
