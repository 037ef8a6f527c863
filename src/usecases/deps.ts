import type { Logger } from "pino";
import type { Settings } from "../config.ts";
import type { DeliveryScheduler } from "../delivery/outbox.ts";
import type { Directory, FileDrop, Platform } from "../ports.ts";
import type { Db } from "../store/database.ts";

/** What every use case may reach: the store, the delivery queue, the platforms' directories, a clock. */
export interface CoreDeps {
  db: Db;
  deliveries: DeliveryScheduler;
  /** Queues each stored reflection prompt's job, held until its row's next step; reconcile re-queues lost ones. */
  prompts: PromptScheduler;
  directories: Partial<Record<Platform, Directory>>;
  /** How each platform hands a person a file (their own export); filled as adapters are built, like directories. */
  files: Partial<Record<Platform, FileDrop>>;
  /** How the product behaves (never secrets or where it runs); teams override some of it. */
  config: Settings;
  log: Logger;
  now: () => Date;
}

/** Puts the delayed job of each stored prompt on the queue; like deliveries, the row holds the time, Redis the index. */
export interface PromptScheduler {
  schedule(promptIds: readonly string[]): Promise<void>;
}
