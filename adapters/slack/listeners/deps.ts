import type { Logger } from "pino";
import type { InboundPort } from "../../../src/core/inbound.ts";

/** What every listener needs: the core's inbound pipeline and a logger. */
export interface ListenerDeps {
  inbound: InboundPort;
  log: Logger;
}

/**
 * Forms and buttons are ours when their id has a feature's namespace (`incident.details`); which feature answers is
 * the core's to say, so a new feature needs no change here.
 */
export const DEBRIEF_ID = /^[a-z][\w-]*\./;
