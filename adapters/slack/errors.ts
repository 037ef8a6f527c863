import type { App, CodedError, Context } from "@slack/bolt";
import type { Logger } from "pino";
import { logFailure } from "../../src/core/inbound.ts";
import { userMessage } from "../../src/core/user-message.ts";
import { fallbackText } from "./render.ts";
import { requestLog } from "./request-context.ts";

/** The parts of any Slack request body that say what it was and where to answer. */
interface FailedRequestBody {
  command?: string;
  actions?: { action_id?: string }[];
  view?: { callback_id?: string };
  event?: { type?: string };
  response_url?: unknown;
}

/** What Bolt gives an error handler with `extendedErrorHandler: true` (its own type is not exported). */
interface ErrorHandlerArgs {
  error: CodedError;
  body: unknown;
  context: Context;
}

/** The error a listener threw, unwrapped from Bolt's UnknownError. */
export function originalError(error: CodedError | Error): Error {
  return "original" in error && error.original instanceof Error ? error.original : error;
}

export class ResponseUrlError extends Error {
  override readonly name = "ResponseUrlError";
}

/**
 * Posts an ephemeral message to a response_url, which Slack accepts for 30 minutes; throws if Slack refuses it.
 * `what` names the message in that error.
 */
export async function postToResponseUrl(
  url: string,
  message: { text: string; blocks?: unknown[] },
  { timeoutMs, what = "the reply" }: { timeoutMs: number; what?: string },
): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify({ response_type: "ephemeral", replace_original: false, ...message }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  // Read to the end, so the connection goes back to the pool.
  const answer = await res.text();
  if (!res.ok) throw new ResponseUrlError(`Slack refused ${what} (HTTP ${res.status}: ${answer.slice(0, 100)})`);
}

/**
 * The last stop for a failed command or button press (forms handle their own, as they must answer in the ack):
 * log it with the request's id, count it, and tell the user through the response_url.
 */
export function reportErrors(app: App, deps: { log: Logger }): void {
  app.error(async function handleListenerError({ error, body, context }: ErrorHandlerArgs): Promise<void> {
    const cause = originalError(error);
    const log = requestLog(deps.log, context);
    const b = body as FailedRequestBody;
    const label = b.command?.slice(1) ?? b.actions?.[0]?.action_id ?? b.view?.callback_id ?? b.event?.type ?? "unknown";
    logFailure(log, cause, { label }, "slack request");
    const url = b.response_url;
    if (typeof url !== "string") return;
    try {
      await postToResponseUrl(url, { text: fallbackText({ text: userMessage(cause) }) }, { timeoutMs: 5000 });
    } catch (err) {
      log.warn({ err }, "could not tell the user about the failure");
    }
  });
}
