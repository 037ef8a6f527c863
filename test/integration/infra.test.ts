import { mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer, readinessChecks, type HttpServer, type Route } from "../../src/infra/http-server.ts";
import { createLogger } from "../../src/infra/logger.ts";
import { createMetrics } from "../../src/infra/metrics.ts";
import { checkNoEviction, connectRedis, startLocalRedis } from "../../src/infra/redis-server.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { REDIS_URL } from "../support/redis.ts";
import { deferred, waitFor } from "../support/wait.ts";

const log = createLogger("silent");

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("a local redis-server for installs without REDIS_URL", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "debrief-redis-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts in the data dir with an append-only file and no eviction, and stop() ends it", async () => {
    const local = await startLocalRedis({ dataDir, log });
    const redis = new Redis(local.url, { lazyConnect: true, retryStrategy: () => null });
    try {
      expect(await redis.ping()).toBe("PONG");
      expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      expect(await redis.config("GET", "dir")).toEqual(["dir", join(dataDir, "redis")]);
      expect(await checkNoEviction(redis, log)).toBe("noeviction");
      await redis.set("kept", "1");
      expect(await readdir(join(dataDir, "redis"))).toContain("appendonlydir");
    } finally {
      redis.disconnect();
      await local.stop();
    }
    const port = Number(new URL(local.url).port);
    await expect(
      new Promise((resolve, reject) => connect(port, "127.0.0.1").once("connect", resolve).once("error", reject)),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it("says how to install Redis or set REDIS_URL when redis-server is not on PATH", async () => {
    await expect(startLocalRedis({ dataDir, log, searchPath: dataDir })).rejects.toThrow(
      "Redis is needed; install it (e.g. `apt-get install redis-server` or `brew install redis`) or set REDIS_URL=redis://host:6379",
    );
  });
});

describe("connecting to Redis", () => {
  it("warns when Redis may evict queued jobs", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const warnLog = createLogger("warn", sink);
    const fake = { config: async () => ["maxmemory-policy", "allkeys-lru"] } as unknown as Redis;
    expect(await checkNoEviction(fake, warnLog)).toBe("allkeys-lru");
    expect(lines.join("")).toContain("noeviction");
    const locked = { config: async () => Promise.reject(new Error("ERR unknown command 'CONFIG'")) } as unknown as Redis;
    expect(await checkNoEviction(locked, warnLog)).toBeUndefined();
  });

  it("logs a down Redis once rather than on every retry", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const redis = connectRedis(`redis://127.0.0.1:${await closedPort()}`, { log: createLogger("error", sink) });
    // Each retry fails the same way: three of them are enough to show the error is logged once, not each time.
    let retries = 0;
    redis.on("reconnecting", () => retries++);
    await waitFor(() => retries >= 3, { timeoutMs: 10_000 });
    redis.disconnect();
    expect(lines.filter((l) => l.includes("redis connection error"))).toHaveLength(1);
  });
});

describe("the logger", () => {
  it("writes JSON lines with the service name and hides tokens and authorization headers", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    createLogger("info", sink).info(
      { slack: { botToken: "xoxb-1" }, req: { headers: { authorization: "Bearer abc" } } },
      "hello",
    );
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ service: "debrief", msg: "hello", slack: { botToken: "[redacted]" } });
    expect(lines[0]).not.toContain("xoxb-1");
    expect(lines[0]).not.toContain("Bearer abc");
  });
});

describe("the HTTP server", () => {
  let database: TestDatabase;
  let redis: Redis;
  let http: HttpServer;
  let port: number;
  const finished: string[] = [];
  // The slow route waits for the test to let it finish, so "a request in flight" is one the test holds open.
  const slowStarted = deferred();
  const releaseSlow = deferred();

  const routes: Route[] = [
    {
      method: "POST",
      path: "/boom",
      handler: () => {
        throw new Error("secret detail at handler (/srv/app.ts:1:1)");
      },
    },
    {
      method: "GET",
      path: "/slow",
      handler: async (_req, res) => {
        slowStarted.resolve();
        await releaseSlow.promise;
        finished.push("slow");
        res.end("done");
      },
    },
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = connectRedis(REDIS_URL, { log });
    const metrics = createMetrics();
    metrics.setQueueDepthSource(async () => 4);
    http = createHttpServer({ routes, readiness: readinessChecks(database.db, redis), metrics, log });
    port = await http.listen(0, "127.0.0.1");
  });
  afterAll(async () => {
    await http?.close();
    redis?.disconnect();
    await database?.drop();
  });

  it("answers /healthz", async () => {
    const reply = await get(port, "/healthz");
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: "ok" });
  });

  it("is ready when Postgres and Redis answer", async () => {
    const reply = await get(port, "/readyz");
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
  });

  it("is not ready, naming redis, when Redis does not answer", async () => {
    const down = connectRedis(`redis://127.0.0.1:${await closedPort()}`, { log });
    const other = createHttpServer({ routes: [], readiness: readinessChecks(database.db, down), metrics: createMetrics(), log });
    const otherPort = await other.listen(0, "127.0.0.1");
    try {
      const started = Date.now();
      const reply = await get(otherPort, "/readyz");
      expect(Date.now() - started).toBeLessThan(2000);
      expect(reply.status).toBe(503);
      const body = JSON.parse(reply.body);
      expect(body.status).toBe("not ready");
      expect(body.checks.postgres).toBe("ok");
      expect(body.checks.redis).toMatch(/no answer within 1000 ms/);
      expect(reply.body).not.toMatch(/\n\s+at /);
    } finally {
      await other.close();
      down.disconnect();
    }
  });

  it("exposes Debrief's metrics for Prometheus", async () => {
    const reply = await get(port, "/metrics");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^text\/plain/);
    for (const name of [
      "debrief_commands_total",
      "debrief_ack_latency_seconds",
      "debrief_deliveries_total",
      "debrief_process_cpu_user_seconds_total",
    ]) {
      expect(reply.body).toContain(`# TYPE ${name}`);
    }
    expect(reply.body).toContain("debrief_delivery_queue_depth 4");
  });

  it("answers an unknown path with 404 JSON and a wrong method with 405", async () => {
    const missing = await get(port, "/nope");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: "not found" });
    expect((await get(port, "/boom", "GET")).status).toBe(405);
  });

  it("turns a failing handler into a 500 without a stack or the error's detail", async () => {
    const reply = await get(port, "/boom", "POST");
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ error: "internal error" });
  });

  it("close() lets a slow request in flight finish", async () => {
    const own = createHttpServer({ routes, readiness: [], metrics: createMetrics(), log });
    const ownPort = await own.listen(0, "127.0.0.1");
    const slow = get(ownPort, "/slow");
    await slowStarted.promise;
    const started = Date.now();
    const closing = own.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false); // still waiting for the request in flight
    releaseSlow.resolve();
    await closing;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(finished).toContain("slow");
    const reply = await slow;
    expect(reply).toMatchObject({ status: 200, body: "done" });
    await expect(get(ownPort, "/healthz")).rejects.toThrow(/ECONNREFUSED/);
  });
});
