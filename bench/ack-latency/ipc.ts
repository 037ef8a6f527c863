import { fork, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";

/**
 * The bench's processes talk over Node's IPC channel: the parent calls a named method in a child and awaits its
 * answer. Every server and the load generator run in a process of their own, so none shares another's event loop.
 */

// `never` lets each handler declare its own parameter type; the parent and the child agree on them by name.
type Handlers = Record<string, (params: never) => unknown>;

interface Call {
  id: number;
  method: string;
  params: unknown;
}

type Answer = { id: number; result: unknown } | { id: number; error: string };

interface Ready {
  ready: unknown;
}

// ── the child's side ─────────────────────────────────────────────────────────

/**
 * Serves `handlers` to the parent, tells it `info` once ready, and stops (via `stop`) when told to, on SIGINT or
 * SIGTERM, or when the parent goes away, so no child outlives a bench that crashed or was interrupted.
 */
export function serveParent(info: unknown, handlers: Handlers, stop: () => Promise<void>): void {
  if (!process.send) throw new Error("run this file from bench/ack-latency/run.ts (it needs an IPC channel)");
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= stop()
      .catch((err: unknown) => console.error("error while stopping:", err))
      .finally(() => process.exit(0));
    return stopping;
  };
  process.on("message", (message: Call) => {
    if (message.method === "stop") {
      void shutdown();
      return;
    }
    const handler = handlers[message.method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no method ${message.method}`);
        return handler(message.params as never);
      })
      .then(
        (result) => process.send?.({ id: message.id, result } satisfies Answer),
        (err: unknown) => process.send?.({ id: message.id, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies Answer),
      );
  });
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  process.on("disconnect", () => void shutdown());
  process.send({ ready: info } satisfies Ready);
}

// ── the parent's side ────────────────────────────────────────────────────────

export interface ChildOptions {
  /** Environment added to the parent's. */
  env?: Record<string, string>;
  /** Where the child's stdout and stderr go (its logs), so they don't interleave with the bench's table. */
  logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

export interface Child<Info> {
  readonly name: string;
  readonly info: Info;
  /** The child's process id, e.g. to pin it to a core. */
  readonly pid: number;
  call<T>(method: string, params?: unknown): Promise<T>;
  /** Asks the child to stop, and kills it if it has not exited in time. */
  stop(timeoutMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

// The last resort: whatever happens to the parent, no child is left behind.
process.on("exit", () => {
  for (const proc of running) proc.kill("SIGKILL");
});

/** Starts `file` (a .ts module run with tsx) as a child process and waits for it to say it is ready. */
export async function startChild<Info>(name: string, file: URL, options: ChildOptions): Promise<Child<Info>> {
  const log = openSync(options.logFile, "a");
  const proc = fork(file, [], {
    execArgv: ["--import", "tsx", ...(options.nodeFlags ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", log, log, "ipc"],
  });
  closeSync(log);
  running.add(proc);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  void exited.then(() => running.delete(proc));

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (its log: ${options.logFile})`));
    pending.clear();
  });

  const info = await new Promise<Info>((resolve, reject) => {
    proc.on("message", (message: Ready | Answer) => {
      if ("ready" in message) {
        resolve(message.ready as Info);
        return;
      }
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if ("error" in message) waiting?.reject(new Error(`${name}: ${message.error}`));
      else waiting?.resolve(message.result);
    });
    void exited.then(() => reject(new Error(`${name} exited before it was ready; see ${options.logFile}`)));
  });

  return {
    name,
    info,
    pid: proc.pid!,
    call<T>(method: string, params?: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: (v) => resolve(v as T), reject });
        proc.send({ id, method, params } satisfies Call);
      });
    },
    async stop(timeoutMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      if (proc.connected) proc.send({ id: 0, method: "stop", params: null } satisfies Call);
      else proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
