import type { Logger } from "pino";
import type { InboundPort } from "../../../src/core/inbound.ts";

/** What every listener needs: the core's inbound pipeline and a logger. */
export interface ListenerDeps {
  inbound: InboundPort;
  log: Logger;
}

/** Forms and buttons are routed by the namespace of their id, the same words as the slash commands. */
export const DEBRIEF_ID = /^(incident|action|reflect|debrief)\./;
