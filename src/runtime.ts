import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import { usesConsole, type Config, type Role } from "./config.ts";
import { createDebrief } from "./create-debrief.ts";
import type { CommandAnswerer } from "./interaction.ts";
import type { ChatPort, Directory, Platform } from "./ports.ts";
import { migrateToLatest, openDatabase } from "./store/database.ts";
import { pruneRequestsJob } from "./requests/prune-job.ts";
import { createHttpServer, readinessChecks, type Route } from "./infra/http-server.ts";
import { createMetrics, inboundMetrics, type Metrics } from "./infra/metrics.ts";
import { createInbound } from "./core/inbound.ts";
import { checkNoEviction, connectRedis, startLocalRedis } from "./infra/redis-server.ts";
import { createCommandQueue } from "../jobs/command-queue.ts";
import { startCommandWorker } from "../jobs/command-worker.ts";
import { createDeliveryQueue } from "../jobs/delivery-queue.ts";
import { startDeliveryWorker } from "../jobs/delivery-worker.ts";
import { deliveryReconcileJob } from "../jobs/delivery-reconcile.ts";
import { startPeriodicJobs } from "../jobs/periodic.ts";
import { ConsoleChatPort, ConsoleDirectory } from "../adapters/console/chat-port.ts";
import { runConsole } from "../adapters/console/session.ts";
import { toConsoleName } from "../adapters/console/names.ts";
import { consolePacing } from "../adapters/console/pacing.ts";
import { slackPacing } from "../adapters/slack/pacing.ts";

export interface StartOptions {
  role: Role;
  log: Logger;
  /** The terminal for the console adapter, used when no platform is configured. */
  terminal?: { input: Readable; output: Writable; user: string };
}

export interface Running {
  /** The HTTP port, when this process serves the web role. */
  port: number | null;
  metrics: Metrics;
  /** Resolves when the console session ends (end of input or /quit); never, for platforms. */
  finished: Promise<void>;
  /** Stops taking work, finishes what is in flight, and releases every connection. */
  stop(): Promise<void>;
}

// When piped input ends, the messages it caused still print before the console exits, within reason.
const CONSOLE_DRAIN_MS = 10_000;

async function drained(depth: () => Promise<number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await depth().catch(() => 0)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts Debrief in one process: storage, Redis, the platforms, and the web and worker roles asked for. */
export async function start(config: Config, { role, log, terminal }: StartOptions): Promise<Running> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) {
      await s().catch((err: unknown) => log.error({ err }, "error while stopping"));
    }
  };

  try {
    const db = await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      onIdleError: (err) => log.warn({ err }, "database connection lost"),
    });
    stops.push(() => db.destroy());
    const applied = await migrateToLatest(db);
    log.info({ applied, embedded: config.databaseUrl === null }, "database ready");

    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const local = await startLocalRedis({ dataDir: config.dataDir, log });
      stops.push(() => local.stop());
      redisUrl = local.url;
    }
    const redis = connectRedis(redisUrl, { log });
    stops.push(async () => redis.disconnect());
    await checkNoEviction(redis, log);

    const metrics = createMetrics();
    const queue = createDeliveryQueue({ db, connection: redis, prefix: config.redisPrefix });
    stops.push(() => queue.close());
    metrics.setQueueDepthSource(() => queue.depth());
    const commands = createCommandQueue({ connection: redis, prefix: config.redisPrefix });
    stops.push(() => commands.close());

    const ports: Partial<Record<Platform, ChatPort>> = {};
    const directories: Partial<Record<Platform, Directory>> = {};
    const answerers: Partial<Record<Platform, CommandAnswerer>> = {};
    const routes: Route[] = [];
    const debriefDeps = { db, deliveries: queue, directories, config, log, now: () => new Date() };
    const debrief = createDebrief(debriefDeps);
    const inbound = createInbound({ debrief, commands, metrics: inboundMetrics(metrics), log });

    const platformStarts: (() => Promise<void>)[] = [];
    const useConsole = usesConsole(config);
    if (config.slack) {
      // Loaded only when configured, so the console starts without loading Bolt.
      const { createSlackAdapter } = await import("../adapters/slack/app.ts");
      const slack = createSlackAdapter({ config: config.slack, inbound, log });
      ports.slack = slack.chatPort;
      directories.slack = slack.directory;
      answerers.slack = slack.answerCommand;
      routes.push(...slack.routes);
      if (role !== "worker") {
        platformStarts.push(() => slack.start());
        stops.push(() => slack.stop());
      }
    }
    if (useConsole) {
      const output = terminal?.output ?? process.stdout;
      ports.console = new ConsoleChatPort({ output });
      // Whoever starts the console is its admin, as the person who installs an app is in Slack.
      directories.console = new ConsoleDirectory(config.timeZone, toConsoleName(terminal?.user ?? "you"));
    }

    if (role !== "web") {
      // Stopped after the web role (stops run in reverse), so commands acknowledged before the stop are answered.
      const commandWorker = startCommandWorker({ connection: redis, prefix: config.redisPrefix, answerers, log });
      stops.push(() => commandWorker.close());
      const worker = startDeliveryWorker({
        db,
        connection: redis,
        prefix: config.redisPrefix,
        ports,
        log,
        pacing: { slack: slackPacing, console: consolePacing },
        metrics: {
          delivered: (platform) => metrics.deliveries.inc({ platform, outcome: "sent" }),
          failed: (platform) => metrics.deliveries.inc({ platform, outcome: "failed" }),
          rateLimited: (platform) => metrics.deliveries.inc({ platform, outcome: "rate_limited" }),
        },
      });
      stops.push(() => worker.close());
      const periodic = startPeriodicJobs({
        connection: redis,
        prefix: config.redisPrefix,
        settings: config,
        log,
        jobs: [deliveryReconcileJob(db, queue), pruneRequestsJob(db)],
      });
      stops.push(() => periodic.close());
    }

    let port: number | null = null;
    if (role !== "worker" && !useConsole) {
      const http = createHttpServer({ routes, readiness: readinessChecks(db, redis), metrics, log });
      port = await http.listen(config.port);
      // Stopped first (stops run in reverse): no new requests while the rest winds down.
      stops.push(() => http.close());
      log.info({ port }, "listening");
    }
    for (const startPlatform of platformStarts) await startPlatform();

    let finished: Promise<void> = new Promise(() => {});
    if (useConsole && role !== "worker") {
      finished = runConsole({
        inbound,
        input: terminal?.input ?? process.stdin,
        output: terminal?.output ?? process.stdout,
        user: terminal?.user ?? "you",
        timeZone: config.timeZone,
        log,
      }).then(() => drained(() => queue.depth(), CONSOLE_DRAIN_MS));
    }
    return { port, metrics, finished, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
