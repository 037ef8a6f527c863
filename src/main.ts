import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { startCommandWorker } from "../jobs/command-worker.ts";
import { createCommandQueue } from "../jobs/command-queue.ts";
import { deliveryReconcileJob } from "../jobs/delivery-reconcile.ts";
import { createDeliveryQueue } from "../jobs/delivery-queue.ts";
import { startDeliveryWorker } from "../jobs/delivery-worker.ts";
import { startPeriodicJobs } from "../jobs/periodic.ts";
import { createPromptQueue } from "../jobs/prompt-queue.ts";
import { startPromptWorker } from "../jobs/prompt-worker.ts";
import type { Background } from "./background.ts";
import { ConfigError, readConfig, ROLES, settingsOf, usesConsole, type Config, type Role } from "./config.ts";
import { createLogger } from "./infra/logger.ts";
import type { PlatformEntry } from "./platform.ts";
import { start, type Running, type StartOptions } from "./runtime.ts";

/**
 * The composition root: the only module that knows adapters/ and jobs/. Each platform is one entry; an adapter is
 * loaded only when configured, so the console starts without loading Bolt.
 */
export const PLATFORMS: readonly PlatformEntry[] = [
  { platform: "slack", configured: (config) => config.slack !== null, create: async (context) => (await import("../adapters/slack/platform.ts")).slackPlatform(context) },
  { platform: "console", configured: usesConsole, create: async (context) => (await import("../adapters/console/platform.ts")).consolePlatform(context) },
];

/** BullMQ queues and workers behind the runtime's Background port. */
export const BACKGROUND: Background = {
  deliveryQueue: (options) => createDeliveryQueue(options),
  commandQueue: (options) => createCommandQueue(options),
  promptQueue: (options) => createPromptQueue(options),
  startWorkers({ db, connection, prefix, config, log, metrics, platforms, deliveries, prompts, periodic }) {
    const place = { connection, prefix };
    const answerers = Object.fromEntries(Object.entries(platforms).flatMap(([name, p]) => (p.answerQueued ? [[name, p.answerQueued]] : [])));
    const commands = startCommandWorker({ ...place, answerers, log });
    const delivery = startDeliveryWorker({
      ...place,
      db,
      ports: Object.fromEntries(Object.entries(platforms).map(([name, p]) => [name, p.chat])),
      pacing: Object.fromEntries(Object.entries(platforms).map(([name, p]) => [name, p.pacing])),
      log,
      metrics: {
        delivered: (platform) => metrics.deliveries.inc({ platform, outcome: "sent" }),
        failed: (platform) => metrics.deliveries.inc({ platform, outcome: "failed" }),
        rateLimited: (platform) => metrics.deliveries.inc({ platform, outcome: "rate_limited" }),
      },
    });
    // A prompt's message goes out from the job that made it, when nothing stands in its way: prompts fall due in bursts.
    const promptDeliveries = delivery.sendingNow(deliveries);
    const promptWorker = startPromptWorker({ ...place, deps: { db, deliveries: promptDeliveries, prompts, config: settingsOf(config), log, now: () => new Date() } });
    const jobs = startPeriodicJobs({ ...place, settings: config, log, jobs: [deliveryReconcileJob(db, deliveries), ...periodic] });
    return {
      async close() {
        await jobs.close();
        await promptWorker.close();
        await delivery.close();
        await commands.close();
      },
    };
  },
};

/** Debrief with every platform and the BullMQ background: what `npm start` runs, and what end-to-end tests start. */
export function startDebrief(config: Config, options: Omit<StartOptions, "platforms" | "background">): Promise<Running> {
  return start(config, { ...options, platforms: PLATFORMS, background: BACKGROUND });
}

/** `npm start [-- --role web|worker]`: one process runs everything unless a role is named. */
async function main(): Promise<void> {
  let role: Role;
  let config;
  try {
    const { values } = parseArgs({ options: { role: { type: "string", default: "all" } } });
    if (!(ROLES as readonly string[]).includes(values.role)) {
      throw new ConfigError(`--role ${values.role} is not a role; use --role web, --role worker, or leave it out to run both.`);
    }
    role = values.role as Role;
    config = readConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      process.stderr.write(`debrief: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const consoleMode = usesConsole(config);
  // In the console the terminal is the chat, so logs go to a file beside the data (synchronously, as to stdout).
  const logFile = consoleMode ? pino.destination({ dest: `${config.dataDir}/debrief.log`, sync: true, mkdir: true }) : undefined;
  const log = createLogger(config.logLevel, logFile);

  let running;
  try {
    running = await startDebrief(config, { role, log, terminal: { input: process.stdin, output: process.stdout, user: process.env.USER ?? "you" } });
  } catch (err) {
    log.fatal({ err }, "start-up failed");
    process.stderr.write(`debrief: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing what is in flight");
    await running.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  void running.finished.then(() => shutdown("end of console input"));
}

// Run when this file is the program (npm start), not when a test imports startDebrief.
const program = process.argv[1] ? realpathSync(process.argv[1]) : "";
if (program === import.meta.filename) await main();
