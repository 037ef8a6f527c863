import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { waitFor } from "./wait.ts";

/**
 * Debrief run as `npm start` runs it, `tsx src/main.ts [--role …]`, in a process of its own: its JSON log lines, its
 * stderr and its exit, for tests that need real processes (roles on shared storage, signals, start-up failures).
 */

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the exit was seen. */
  at: number;
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface DebriefProcess {
  readonly child: ChildProcess;
  readonly args: readonly string[];
  /** Log lines (pino JSON on stdout) so far. */
  readonly logs: LogLine[];
  /** Whatever stdout printed that was not a JSON log line. */
  readonly otherOutput: string[];
  stderr(): string;
  /** Resolves when the process has exited, however that came about. */
  readonly exited: Promise<Exit>;
  exit(): Exit | undefined;
  /** Waits for a log line with this message (and matching `fields`, if given), bounded by `timeoutMs`. */
  waitForLog(msg: string, timeoutMs?: number, fields?: Record<string, unknown>): Promise<LogLine>;
  /** Waits for the exit, failing with the process's output if it takes longer than `timeoutMs`. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** Sends `signal` to the process `npm start` would have been (tsx, which passes it on to Debrief). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the whole process group (tsx and the node it runs), then waits for the exit. */
  kill(): Promise<void>;
  /** The process's output, for failure messages. */
  describe(): string;
}

export interface SpawnOptions {
  args?: string[];
  /** The whole environment: nothing is inherited, so the developer's own DATABASE_URL or REDIS_URL cannot leak in. */
  env: Record<string, string | undefined>;
}

const running = new Set<DebriefProcess>();
// Should the test runner exit without running the tests' cleanup, take the process groups down with it.
process.once("exit", () => {
  for (const p of running) {
    try {
      process.kill(-p.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Starts `tsx src/main.ts …` from the repository root, in a process group of its own so kill() ends all of it. */
export function spawnDebrief({ args = [], env }: SpawnOptions): DebriefProcess {
  // node runs tsx's CLI script directly, so a test may give a PATH without node on it (or without redis-server).
  const child = spawn(process.execPath, [TSX, "src/main.ts", ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const logs: LogLine[] = [];
  const otherOutput: string[] = [];
  let stderr = "";
  let partial = "";
  let exit: Exit | undefined;

  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        otherOutput.push(line);
      }
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    // "close", not "exit": stdout and stderr have been read to the end by then.
    child.once("close", (code, signal) => {
      exit = { code, signal, at: Date.now() };
      running.delete(handle);
      resolve(exit);
    });
    child.once("error", (err) => {
      stderr += `spawn failed: ${err.message}\n`;
    });
  });

  const describe = () =>
    [
      `tsx src/main.ts ${args.join(" ")} (pid ${child.pid}), ${exit ? `exited with ${exit.code ?? exit.signal}` : "still running"}`,
      `stderr: ${stderr.trim() || "(empty)"}`,
      `log: ${logs.map((l) => JSON.stringify(l)).join("\n     ") || "(none)"}`,
      ...(otherOutput.length ? [`other stdout: ${otherOutput.join("\n")}`] : []),
    ].join("\n");

  const handle: DebriefProcess = {
    child,
    args,
    logs,
    otherOutput,
    stderr: () => stderr,
    exited,
    exit: () => exit,
    async waitForLog(msg, timeoutMs = 60_000, fields = {}) {
      const matches = (l: LogLine) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v);
      try {
        return await waitFor(
          () => {
            const found = logs.find(matches);
            if (!found && exit) throw new Error(`exited before logging "${msg}"`);
            return found;
          },
          { timeoutMs, intervalMs: 50 },
        );
      } catch (err) {
        throw new Error(`waiting for log "${msg}": ${(err as Error).message}\n${describe()}`, { cause: err });
      }
    },
    async waitForExit(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms\n${describe()}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    signal(signal) {
      if (!exit) child.kill(signal);
    },
    async kill() {
      if (!exit && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    },
    describe,
  };
  running.add(handle);
  return handle;
}

/** Kills every process spawnDebrief started that is still running; for afterEach and afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

/**
 * A TCP port nothing listens on, for a process to bind later. It is picked below Linux's ephemeral range
 * (32768–60999), so the outgoing connections of everything else running cannot take it in the meantime.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found between 20000 and 32000");
}

/** Whether a server could listen on `port` on every interface, as Debrief's HTTP server does. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** Whether something accepts TCP connections on the port. */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
