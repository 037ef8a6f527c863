import type { Logger } from "pino";
import type { CommandQueue, Debrief } from "../../../src/interaction.ts";
import type { SlackMetrics } from "../request-context.ts";

/** What every listener needs: the core's three doors, the command queue, a logger and the metrics it reports to. */
export interface ListenerDeps {
  debrief: Debrief;
  /** Where slash commands wait for a worker once acknowledged. */
  commands: CommandQueue;
  log: Logger;
  metrics: SlackMetrics;
}

/** Forms and buttons are routed by the namespace of their id, the same words as the slash commands. */
export const DEBRIEF_ID = /^(incident|action|reflect|debrief)\./;
