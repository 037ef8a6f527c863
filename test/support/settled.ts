import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { COMMAND_QUEUE } from "../../jobs/command-queue.ts";
import type { Db } from "../../src/store/database.ts";
import { REDIS_URL } from "./redis.ts";
import { waitFor } from "./wait.ts";

/**
 * Waiting for an absence ("no second post came") without a guessed sleep: wait, with a deadline, for the state in which
 * nothing more CAN come, then assert the counts.
 *
 * - Every message Debrief sends on its own is a `delivery` row before it is sent, and a row is sent only by the worker
 *   that claims it while `pending`. Once a workspace has no row `pending` or `sending`, each has been sent (or has
 *   failed) for good: no send, retry or edit of those rows is still to come.
 * - A command that could still run (waiting, running, or held for a retry's back-off) could still reply through its
 *   response_url, upload a file, or record a new delivery. Once the command queue has none, no command can.
 * - A reflection prompt in a final status (`expired`, `answered`, `withdrawn`) has no next time: the prompt worker and
 *   the reconcile neither send nor remind it again.
 */

/** Statuses a delivery is still on its way in: waiting for a worker or a retry, or being sent. */
const UNSETTLED_DELIVERY = ["pending", "sending"] as const;

/** Where a command job can be while it may still run. Completed and failed (given up) jobs run no more. */
const LIVE_JOB_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children"] as const;

/** Statuses from which a prompt is never sent or reminded again. */
export const FINAL_PROMPT_STATUSES = ["expired", "answered", "withdrawn"] as const;

export interface SettledOptions {
  db: Db;
  /** The workspace whose deliveries must have settled, as the delivery rows name it (Slack's team id, e.g. "T0001"). */
  workspaceId: string;
  /** The test's Redis key prefix: given, the command queue under it must have nothing left to run. */
  prefix?: string;
  /** Reflection prompts that must be in a final status. */
  promptIds?: readonly string[];
  timeoutMs?: number;
}

/** The workspace's deliveries not yet sent or failed. */
export async function unsettledDeliveries(db: Db, workspaceId: string) {
  return db
    .selectFrom("delivery")
    .select(["id", "dedupe_key", "status"])
    .where("workspace_id", "=", workspaceId)
    .where("status", "in", UNSETTLED_DELIVERY)
    .execute();
}

/** Commands under the prefix that may still run: waiting, running, or delayed for a retry. */
export async function liveCommands(prefix: string, url = REDIS_URL): Promise<number> {
  const connection = new Redis(url, { maxRetriesPerRequest: 3 });
  const queue = new Queue(COMMAND_QUEUE, { connection, prefix });
  try {
    return await countLive(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

async function countLive(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(...LIVE_JOB_STATES);
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/**
 * Waits until nothing more can reach Slack for the workspace: the prompts given are final, no command can still run,
 * and every delivery has settled. Checked in that order, since a prompt or a command can record a delivery, and a
 * delivery records nothing. Throws, saying what is still live, if that state is not reached by the deadline.
 */
export async function waitUntilSettled(options: SettledOptions): Promise<void> {
  const { db, workspaceId, prefix, promptIds = [], timeoutMs = 20_000 } = options;
  const connection = prefix ? new Redis(REDIS_URL, { maxRetriesPerRequest: 3 }) : undefined;
  const queue = connection ? new Queue(COMMAND_QUEUE, { connection, prefix }) : undefined;
  try {
    await waitFor(
      async () => {
        if (promptIds.length > 0) {
          const prompts = await db.selectFrom("reflection_prompt").select(["id", "status"]).where("id", "in", [...promptIds]).execute();
          const live = prompts.filter((p) => !(FINAL_PROMPT_STATUSES as readonly string[]).includes(p.status));
          if (prompts.length !== promptIds.length || live.length > 0) {
            throw new Error(`prompts not final: ${JSON.stringify(live)} (found ${prompts.length} of ${promptIds.length})`);
          }
        }
        if (queue) {
          const commands = await countLive(queue);
          if (commands > 0) throw new Error(`${commands} command(s) could still run`);
        }
        const deliveries = await unsettledDeliveries(db, workspaceId);
        if (deliveries.length > 0) throw new Error(`deliveries still on their way: ${JSON.stringify(deliveries)}`);
        return true;
      },
      { timeoutMs, intervalMs: 50 },
    );
  } finally {
    await queue?.close();
    connection?.disconnect();
  }
}
