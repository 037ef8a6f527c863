import type { Logger } from "pino";
import type { InboundPort } from "../../src/core/inbound.ts";
import type { CommandAnswerer } from "../../src/interaction.ts";
import { postToResponseUrl, ResponseUrlError } from "./errors.ts";
import { toMessage } from "./render.ts";

// Slack's response_urls answer in well under a second; one that hangs is tried again rather than holding a worker.
const RESPONSE_URL_TIMEOUT_MS = 10_000;

/**
 * Answers a slash command that the web process queued: the core runs it, then the reply goes to the command's
 * response_url. A failed post throws, so the queue tries again; running the command again is safe, since the core
 * does a request once and answers a repeat as it answered the first (src/requests/once.ts).
 */
export function slackCommandAnswerer({ inbound, log }: { inbound: InboundPort; log: Logger }): CommandAnswerer {
  return async (command) => {
    const view = await inbound.runQueued(command);
    const responseUrl = command.replyTo.responseUrl;
    if (!responseUrl) throw new ResponseUrlError("the queued command carries no response_url to answer");
    await postToResponseUrl(responseUrl, toMessage(view), { timeoutMs: RESPONSE_URL_TIMEOUT_MS, what: `the reply to /${command.name}` });
    log.debug({ command: command.name, userId: command.interaction.actor.userId }, "answered a queued command");
  };
}
