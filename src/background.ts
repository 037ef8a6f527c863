import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { DeliveryScheduler } from "./delivery/outbox.ts";
import type { Metrics } from "./infra/metrics.ts";
import type { CommandAnswerer, CommandQueue } from "./interaction.ts";
import type { PeriodicJob } from "./periodic-job.ts";
import type { Conversation, Pacing } from "./platform.ts";
import type { ChatPort, Platform } from "./ports.ts";
import type { Db } from "./store/database.ts";
import type { PromptScheduler } from "./usecases/deps.ts";

/**
 * Time-based work as the runtime sees it: queues it writes to, and the worker role's workers. The entry point
 * (src/main.ts) fills it from jobs/ (BullMQ); the runtime knows only this.
 */
export interface Background {
  deliveryQueue(options: { db: Db; connection: Redis; prefix: string }): DeliveryScheduler & Closable & { depth(): Promise<number> };
  commandQueue(options: { connection: Redis; prefix: string }): CommandQueue & Closable;
  /** One delayed job per reflection prompt, held until the row's next step. */
  promptQueue(options: { db: Db; connection: Redis; prefix: string }): PromptScheduler & Closable;
  /** The worker role: queued commands, deliveries and the periodic jobs. */
  startWorkers(options: WorkersOptions): Closable;
}

export interface Closable {
  close(): Promise<void>;
}

export interface WorkersOptions {
  db: Db;
  connection: Redis;
  prefix: string;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Where the bot speaks on each platform, how fast, and who answers a queued command there. */
  platforms: Partial<Record<Platform, { chat: ChatPort; pacing: (c: Conversation) => Pacing; answerQueued?: CommandAnswerer }>>;
  /** The delivery queue the reconcile job re-queues into. */
  deliveries: DeliveryScheduler;
  /** The reflection prompt queue, which prompt jobs re-queue into as prompts move on. */
  prompts: PromptScheduler;
  /** Periodic jobs the core declares (pruning requests; next, the escalation sweep and prompts). */
  periodic: readonly PeriodicJob[];
}
