import type { Logger } from "pino";
import type { CommandAnswerer } from "../src/interaction.ts";
import type { Platform } from "../src/ports.ts";
import { COMMAND_QUEUE, type QueuedCommand } from "./command-queue.ts";
import { commandTurns } from "./command-turns.ts";
import { startWorker, type QueuePlace, type StartedWorker } from "./queue-kit.ts";

export interface CommandWorkerOptions extends QueuePlace {
  answerers: Partial<Record<Platform, CommandAnswerer>>;
  log: Logger;
  /**
   * Commands run at once. Each runs in a transaction of its own (src/requests/once.ts), so at most the database pool's
   * size do their work at a time; the rest wait for a connection.
   */
  concurrency?: number;
  /** How long a command waits for the same person's earlier commands before it runs anyway (see command-turns.ts). */
  turnWaitMs?: number;
}

/** Closing it waits for running commands to be answered. */
export type CommandWorker = StartedWorker;

export function startCommandWorker(options: CommandWorkerOptions): CommandWorker {
  const turns = commandTurns({ connection: options.connection, prefix: options.prefix, waitLimitMs: options.turnWaitMs });
  return startWorker<QueuedCommand>(
    COMMAND_QUEUE,
    async (job) => {
      const { actor } = job.data.interaction;
      const answer = options.answerers[actor.platform];
      // Only a process set up for that platform can answer it; another worker's failure here is retried.
      if (!answer) throw new Error(`this worker has no ${actor.platform} adapter to answer the command`);
      const { turn } = job.data;
      if (turn === undefined) return answer(job.data);
      if (!(await turns.waitFor(actor, turn))) {
        options.log.warn({ jobId: job.id, turn }, "running a command before the same person's earlier one has finished");
      }
      try {
        await answer(job.data);
      } finally {
        // Done whether or not its reply got through: a retry answers from what the first run stored, so the person's
        // next command need not wait for it.
        await turns.done(actor, turn).catch((err: unknown) => options.log.warn({ err, jobId: job.id }, "could not mark a command's turn done"));
      }
    },
    { connection: options.connection, prefix: options.prefix, log: options.log, label: "command", concurrency: options.concurrency ?? 100 },
  );
}
