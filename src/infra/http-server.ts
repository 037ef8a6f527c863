import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Db } from "../store/database.ts";
import { withinTime } from "./time-limit.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A route an adapter contributes, e.g. Slack's POST /slack/events or Teams' POST /api/messages. */
export interface Route {
  method: string;
  path: string;
  handler: RouteHandler;
}

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface HttpServerOptions {
  routes: Route[];
  readiness: ReadinessCheck[];
  metrics: { registry: Registry };
  log: Logger;
}

export interface HttpServer {
  server: Server;
  /** Resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish, then cuts whatever is left after `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

const CHECK_TIMEOUT_MS = 1000;

export function createHttpServer({ routes, readiness, metrics, log }: HttpServerOptions): HttpServer {
  const builtIn: Route[] = [
    { method: "GET", path: "/healthz", handler: (_req, res) => json(res, 200, { status: "ok" }) },
    { method: "GET", path: "/readyz", handler: (_req, res) => ready(res) },
    { method: "GET", path: "/metrics", handler: (_req, res) => scrape(res) },
  ];
  const table = new Map([...routes, ...builtIn].map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));
  let closing = false;
  let wasReady: boolean | undefined;

  async function ready(res: ServerResponse): Promise<void> {
    const results = await Promise.all(readiness.map(async ({ name, check }) => [name, await outcome(check)] as const));
    const isReady = results.every(([, result]) => result === "ok");
    // Probes run every few seconds: log only when readiness changes, not on every failing probe.
    if (isReady !== wasReady) {
      if (isReady) log.info("ready");
      else log.warn({ checks: Object.fromEntries(results) }, "not ready");
      wasReady = isReady;
    }
    json(res, isReady ? 200 : 503, { status: isReady ? "ready" : "not ready", checks: Object.fromEntries(results) });
  }

  async function scrape(res: ServerResponse): Promise<void> {
    const body = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
  }

  const inFlight = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    if (closing) drain(res);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = table.get(`${req.method} ${path}`);
    if (!route) {
      const known = [...table.values()].some((r) => r.path === path);
      json(res, known ? 405 : 404, { error: known ? "method not allowed" : "not found" });
      return;
    }
    try {
      await route.handler(req, res);
    } catch (err) {
      log.error({ err, method: req.method, path }, "request handler failed");
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.destroy();
    }
  });
  // Longer than common load balancers' 60 s idle timeout, so they never reuse a socket we are closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", (err: NodeJS.ErrnoException) =>
          reject(err.code === "EADDRINUSE" ? new Error(`port ${port} is already in use; set PORT to a free port`, { cause: err }) : err),
        );
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    async close(timeoutMs = 10_000) {
      closing = true;
      for (const res of inFlight) drain(res);
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        log.warn({ timeoutMs }, "requests still running at shutdown; closing their connections");
        server.closeAllConnections();
      }, timeoutMs);
      try {
        await closed;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") throw err;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Ends a keep-alive connection after this response, so close() isn't held up until the client's idle timeout. */
function drain(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  else res.once("finish", () => res.socket?.end());
}

/** "ok", or a one-line reason: never a stack, since /readyz may be reachable from outside. */
async function outcome(check: () => Promise<void>): Promise<string> {
  try {
    await withinTime(check(), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
    return "ok";
  } catch (err) {
    const message = err instanceof Error ? err.message || err.name : String(err);
    return message.split("\n")[0]!.slice(0, 200);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

/** Postgres and Redis, the two things no request can be served without. */
export function readinessChecks(db: Db, redis: Redis): ReadinessCheck[] {
  return [
    { name: "postgres", check: async () => void (await sql`select 1`.execute(db)) },
    { name: "redis", check: async () => void (await redis.ping()) },
  ];
}
