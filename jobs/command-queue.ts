import { withinTime } from "../src/infra/time-limit.ts";
import type { CommandQueue, DeferredCommand } from "../src/interaction.ts";
import { commandTurns } from "./command-turns.ts";
import { openQueue, type QueuePlace } from "./queue-kit.ts";

export const COMMAND_QUEUE = "command";

/** A command as it waits in the queue: what the core needs, and the person's turn (see command-turns.ts). */
export interface QueuedCommand extends DeferredCommand {
  /** Absent on jobs queued before commands took turns. */
  readonly turn?: number;
}

export interface CommandQueueOptions extends QueuePlace {
  /** Tries per command; the reply is what usually fails, and a command that ran is not run again (src/requests/once.ts). */
  attempts?: number;
  /** First retry delay; it doubles each try (tests pass a few ms). */
  backoffMs?: number;
}

// The web process waits this long for Redis before telling the user their command was not taken, well inside Slack's
// 3 s. Should Redis take it after all, a worker still answers it: the user then reads both, which beats a silent loss.
const DEFER_TIMEOUT_MS = 1500;

export interface CommandQueueHandle extends CommandQueue {
  close(): Promise<void>;
}

// BullMQ refuses ':' in job ids; the platform's request id is unique per request, so a request queued twice is one job.
const commandJobId = (command: DeferredCommand): string | undefined =>
  command.interaction.requestId
    ? `command-${command.interaction.actor.platform}-${command.interaction.actor.workspaceId}-${command.interaction.requestId}`.replaceAll(":", "_")
    : undefined;

/**
 * Commands the web process has acknowledged, waiting for a worker. The web role acknowledges a slash command as soon
 * as it is stored here, so Slack's 3 seconds never depend on the database or on how busy the workers are.
 */
export function createCommandQueue(options: CommandQueueOptions): CommandQueueHandle {
  const queue = openQueue<QueuedCommand>(COMMAND_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    attempts: options.attempts ?? 5,
    backoffMs: options.backoffMs,
    // What people typed (possibly about a vulnerable person) stays in Redis no longer than it takes to answer; a
    // command that could not be answered is kept an hour, long enough to look into, no longer.
    keepFailedSeconds: 3600,
  });
  const turns = commandTurns({ connection: options.connection, prefix: options.prefix });
  return {
    async defer(command) {
      const jobId = commandJobId(command);
      const adding = turns.take(command.interaction.actor).then((turn) => queue.add(command.name, { ...command, turn }, jobId ? { jobId } : {}));
      await withinTime(adding, DEFER_TIMEOUT_MS, `Redis did not take the command within ${DEFER_TIMEOUT_MS} ms`);
    },
    close: () => queue.close(),
  };
}
