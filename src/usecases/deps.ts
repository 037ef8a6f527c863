import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { DeliveryScheduler } from "../delivery/outbox.ts";
import type { Directory, Platform } from "../ports.ts";
import type { Db } from "../store/database.ts";

/** What every use case may reach: the store, the delivery queue, the platforms' directories, a clock. */
export interface CoreDeps {
  db: Db;
  deliveries: DeliveryScheduler;
  directories: Partial<Record<Platform, Directory>>;
  config: Pick<Config, "timeZone" | "admins">;
  log: Logger;
  now: () => Date;
}
