import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import type { Background } from "./background.ts";
import { settingsOf, type Config, type Role } from "./config.ts";
import { createInbound } from "./core/inbound.ts";
import { createDebrief } from "./create-debrief.ts";
import { createHttpServer, readinessChecks } from "./infra/http-server.ts";
import { createMetrics, inboundMetrics, type Metrics } from "./infra/metrics.ts";
import { checkNoEviction, connectRedis, startLocalRedis } from "./infra/redis-server.ts";
import type { PlatformAdapter, PlatformEntry } from "./platform.ts";
import type { Directory, FileDrop, Platform } from "./ports.ts";
import { escalationSweepJob } from "./features/escalation/sweep.ts";
import { promptReconcileJob } from "./features/reflections/reconcile.ts";
import { pruneRequestsJob } from "./requests/prune-job.ts";
import { migrateToLatest, openDatabase } from "./store/database.ts";

export interface StartOptions {
  role: Role;
  log: Logger;
  /** Every platform Debrief knows; those the configuration names are started. */
  platforms: readonly PlatformEntry[];
  /** Queues and workers (jobs/, wired by src/main.ts). */
  background: Background;
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

/** Starts Debrief in one process: storage, Redis, the configured platforms, and the web and worker roles asked for. */
export async function start(config: Config, { role, log, platforms, background, terminal }: StartOptions): Promise<Running> {
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
    const queue = background.deliveryQueue({ db, connection: redis, prefix: config.redisPrefix });
    stops.push(() => queue.close());
    metrics.setQueueDepthSource(() => queue.depth());
    const commands = background.commandQueue({ connection: redis, prefix: config.redisPrefix });
    stops.push(() => commands.close());

    // Filled as each platform's adapter is built; the core reads it at request time.
    const directories: Partial<Record<Platform, Directory>> = {};
    const files: Partial<Record<Platform, FileDrop>> = {};
    const prompts = background.promptQueue({ db, connection: redis, prefix: config.redisPrefix });
    stops.push(() => prompts.close());
    const debrief = createDebrief({ db, deliveries: queue, prompts, directories, files, config: settingsOf(config), log, now: () => new Date() });
    const inbound = createInbound({ debrief, commands, metrics: inboundMetrics(metrics), log });

    const adapters: PlatformAdapter[] = [];
    for (const entry of platforms.filter((p) => p.configured(config))) {
      const adapter = await entry.create({ inbound, config, log, ...(terminal ? { terminal } : {}) });
      directories[adapter.platform] = adapter.directory;
      files[adapter.platform] = adapter.files;
      adapters.push(adapter);
    }

    if (role !== "web") {
      // Stopped after the web role (stops run in reverse), so commands acknowledged before the stop are answered.
      const workers = background.startWorkers({
        db,
        connection: redis,
        prefix: config.redisPrefix,
        config,
        log,
        metrics,
        platforms: Object.fromEntries(adapters.map((a) => [a.platform, a])),
        deliveries: queue,
        prompts,
        periodic: [pruneRequestsJob(db), promptReconcileJob(db, prompts), escalationSweepJob({ db, deliveries: queue, config: settingsOf(config), log })],
      });
      stops.push(() => workers.close());
    }

    let port: number | null = null;
    let finished: Promise<void> = new Promise(() => {});
    if (role !== "worker") {
      // A terminal in the foreground is the whole of the web role; anything else is served over HTTP.
      if (!adapters.some((a) => a.foreground)) {
        const http = createHttpServer({ routes: adapters.flatMap((a) => a.routes), readiness: readinessChecks(db, redis), metrics, log });
        port = await http.listen(config.port);
        // Stopped first (stops run in reverse): no new requests while the rest winds down.
        stops.push(() => http.close());
        log.info({ port }, "listening");
      }
      for (const adapter of adapters) {
        await adapter.start();
        stops.push(() => adapter.stop());
      }
      const ending = adapters.flatMap((a) => (a.finished ? [a.finished] : []));
      if (ending.length > 0) finished = Promise.race(ending).then(() => drained(() => queue.depth(), CONSOLE_DRAIN_MS));
    }
    return { port, metrics, finished, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
