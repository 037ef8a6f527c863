import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AllMiddlewareArgs, Context } from "@slack/bolt";
import type { Logger } from "pino";
import type { InboundPort } from "../../src/core/inbound.ts";

/**
 * What every Slack request carries through Bolt's context: an id to find its log lines by, and when it arrived, so
 * the acknowledgement latency we report is the one Slack sees (signature check and parsing included).
 */

const RECEIVED_AT = Symbol("debrief.slack.receivedAt");

/** Called by the HTTP route as the request arrives, before Bolt reads the body. */
export function stampArrival(req: IncomingMessage): void {
  (req as IncomingMessage & { [RECEIVED_AT]?: number })[RECEIVED_AT] = performance.now();
}

/** HTTPReceiver's customPropertiesExtractor: copies the arrival time into the context. */
export function arrivalProperties(req: IncomingMessage): { receivedAt: number } {
  return { receivedAt: (req as IncomingMessage & { [RECEIVED_AT]?: number })[RECEIVED_AT] ?? performance.now() };
}

/** Global middleware: Socket Mode has no HTTP arrival, so the time the event reaches Bolt stands in for it. */
export async function tagRequest({ context, next }: AllMiddlewareArgs): Promise<void> {
  context.requestId ??= randomUUID();
  context.receivedAt ??= performance.now();
  await next();
}

export function receivedAt(context: Context): number {
  return typeof context.receivedAt === "number" ? context.receivedAt : performance.now();
}

export function requestLog(log: Logger, context: Context): Logger {
  return log.child({ requestId: context.requestId as string | undefined });
}

/** Records how long Slack waited for our acknowledgement. `label` is the command, form or button id. */
export function recordAck(inbound: Pick<InboundPort, "acknowledged">, context: Context, label: string): void {
  inbound.acknowledged("slack", label, (performance.now() - receivedAt(context)) / 1000);
}
