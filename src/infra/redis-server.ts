import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import type { Logger } from "pino";

export const REDIS_MISSING =
  "Redis is needed; install it (e.g. `apt-get install redis-server` or `brew install redis`) or set REDIS_URL=redis://host:6379";

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  dataDir: string;
  log: Logger;
  /** Directories to look for redis-server in; defaults to $PATH. */
  searchPath?: string;
}

/** Starts a private redis-server for a single-machine install, so `npm start` works without setting up Redis. */
export async function startLocalRedis({ dataDir, log, searchPath = process.env.PATH ?? "" }: LocalRedisOptions): Promise<LocalRedis> {
  const binary = await findOnPath("redis-server", searchPath);
  if (!binary) throw new Error(REDIS_MISSING);
  const dir = join(dataDir, "redis");
  await mkdir(dir, { recursive: true });

  // Another process can take the free port between our probe and redis binding it; a retry covers that race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(binary, port, dir, log);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test(String(err))) throw err;
    }
  }
}

async function launch(binary: string, port: number, dir: string, log: Logger): Promise<LocalRedis> {
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    // Redis holds the schedule index: AOF keeps it across restarts; eviction would silently drop jobs.
    "--appendonly", "yes", "--maxmemory-policy", "noeviction", "--save", "",
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output = outputTail(child);
  // Only an exit after start-up is news; a failed start is reported by the error thrown.
  let watching = false;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    process.off("exit", killChild);
    if (watching) log.error({ code, signal, output: output() }, "redis-server exited unexpectedly");
  });
  // A redis-server we started must not outlive us, even when we exit without calling stop().
  const killChild = () => child.kill("SIGTERM");
  process.once("exit", killChild);

  try {
    await waitForPong(port, child, output);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    throw err;
  }
  watching = true;
  log.info({ port, dir }, "started local redis-server");

  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      watching = false;
      // SIGTERM makes redis-server flush the append-only file and exit cleanly, like SHUTDOWN.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Keeps the last few KB of the server's output, to explain a failed start or a crash. */
function outputTail(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail.trim().split("\n").slice(-15).join("\n");
}

async function waitForPong(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let spawnError: Error | undefined;
  child.once("error", (err) => (spawnError = err));
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not run redis-server: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited before it was ready (code ${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** A raw PING, so waiting for start-up doesn't need a client that retries and logs on its own. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

const ERROR_LOG_EVERY_MS = 30_000;

/** A client fit for BullMQ workers; connection errors are logged at most every 30 s so a down Redis doesn't flood logs. */
export function connectRedis(url: string, { log }: { log: Logger }): Redis {
  // Workers block on Redis commands; BullMQ requires null so they wait for reconnection instead of failing.
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  let lastLogged = 0;
  let suppressed = 0;
  redis.on("error", (err: Error) => {
    const now = Date.now();
    if (now - lastLogged < ERROR_LOG_EVERY_MS) {
      suppressed++;
      return;
    }
    log.error({ err, suppressed }, "redis connection error");
    lastLogged = now;
    suppressed = 0;
  });
  return redis;
}

/** BullMQ loses jobs if Redis evicts keys under memory pressure; warn, since a managed Redis may not let us change it. */
export async function checkNoEviction(redis: Redis, log: Logger): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    policy = reply[1];
  } catch {
    return undefined; // CONFIG is disabled on some managed services
  }
  if (policy !== undefined && policy !== "noeviction") {
    log.warn({ policy }, "Redis maxmemory-policy is not noeviction; queued jobs may be evicted. Set maxmemory-policy noeviction.");
  }
  return policy;
}
