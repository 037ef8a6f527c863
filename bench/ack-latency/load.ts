import { Agent, request } from "node:http";
import { serveParent } from "./ipc.ts";
import { channelLeads, requestId, SlashCommands, workforce, type SignedRequest } from "./workload.ts";

/**
 * The load generator, run as a child process of its own. It sends at a fixed rate by the clock (open loop): request
 * n leaves at start + n/rate whether or not earlier ones were answered, so a slow server shows up as queueing and
 * latency instead of quietly lowering the rate it is offered.
 */

export interface PhaseSpec {
  /** Labels this phase's requests; their ids are `<tag>.<n>`. */
  tag: string;
  /** The target's POST endpoint, e.g. http://127.0.0.1:1234/slack/events. */
  url: string;
  ratePerSecond: number;
  durationMs: number;
  /** The fake Slack's response_url prefix; the request id is appended. */
  responseUrlPrefix: string;
  /** A request unanswered this long is given up as a timeout (Slack itself gives up at 3 s; we look further). */
  timeoutMs: number;
}

export interface PhaseRecord {
  spec: PhaseSpec;
  /** Wall-clock time (ms since the epoch) of the phase's first scheduled send; other times are relative to it. */
  startEpochMs: number;
  /** When request n was due to leave. */
  dueMs: number[];
  /** How late the generator actually sent it (its own scheduling delay). */
  lagMs: number[];
  /** From sending to the whole response having arrived; -1 when there was no response. */
  ackMs: number[];
  /** HTTP status, or 0 when the request failed without one. */
  status: number[];
  /** Failures without a status, by kind (timeout, ECONNRESET, …). */
  failures: Record<string, number>;
  /** CPU time the generator itself used during the phase. */
  cpuMs: number;
}

const SIGNING_SECRET = process.env.BENCH_SIGNING_SECRET ?? "";
const commands = new SlashCommands(SIGNING_SECRET, workforce());

/** Runs one phase and resolves when every request has been answered or given up. */
function runPhase(spec: PhaseSpec): Promise<PhaseRecord> {
  const total = Math.round((spec.ratePerSecond * spec.durationMs) / 1000);
  const intervalMs = 1000 / spec.ratePerSecond;
  const target = new URL(spec.url);
  // A fresh pool per phase, so no phase inherits sockets the server may be closing; 256 sockets at most, as a
  // client would cap it: past that, requests wait for a free socket, and that wait counts in their latency.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const cpuBefore = process.cpuUsage();
  const record: PhaseRecord = {
    spec,
    startEpochMs: 0,
    dueMs: new Array<number>(total),
    lagMs: new Array<number>(total),
    ackMs: new Array<number>(total).fill(-1),
    status: new Array<number>(total).fill(0),
    failures: {},
    cpuMs: 0,
  };

  return new Promise((resolve) => {
    let next = 0;
    let finished = 0;
    // A few ms ahead, so the first send is not already late.
    const start = performance.now() + 5;
    record.startEpochMs = performance.timeOrigin + start;

    const settle = (n: number, status: number, failure?: string) => {
      record.status[n] = status;
      if (failure) record.failures[failure] = (record.failures[failure] ?? 0) + 1;
      if (++finished === total) {
        agent.destroy();
        const cpu = process.cpuUsage(cpuBefore);
        record.cpuMs = (cpu.user + cpu.system) / 1000;
        resolve(record);
      }
    };

    const fire = (n: number, due: number) => {
      const sentAt = performance.now();
      record.dueMs[n] = due - start;
      record.lagMs[n] = sentAt - due;
      const id = requestId(spec.tag, n);
      const signed = commands.incident(spec.tag, n, spec.responseUrlPrefix + encodeURIComponent(id));
      post(agent, target, signed, spec.timeoutMs, (status, failure) => {
        if (status > 0) record.ackMs[n] = performance.now() - sentAt;
        settle(n, status, failure);
      });
    };

    // Sends everything that is due, then sleeps until the next send is: the clock, not the answers, sets the pace.
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        fire(next, start + next * intervalMs);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(1, Math.floor(start + next * intervalMs - performance.now())));
    };
    if (total === 0) resolve(record);
    else setTimeout(tick, 5);
  });
}

/** POSTs one signed request; `done` gets the status (0 for none) and, for a failure without a status, its kind. */
function post(agent: Agent, target: URL, signed: SignedRequest, timeoutMs: number, done: (status: number, failure?: string) => void): void {
  let settled = false;
  const finish = (status: number, failure?: string) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(status, failure);
  };
  const req = request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: "POST",
      headers: { ...signed.headers, "content-length": Buffer.byteLength(signed.body) },
    },
    (res) => {
      res.resume();
      res.on("end", () => finish(res.statusCode ?? 0));
      res.on("error", (err: NodeJS.ErrnoException) => finish(0, err.code ?? err.message));
    },
  );
  // Covers the wait for a free socket too, which req.setTimeout (an idle timeout on the socket) would not.
  const timer = setTimeout(() => {
    finish(0, "timeout");
    req.destroy();
  }, timeoutMs);
  req.on("error", (err: NodeJS.ErrnoException) => finish(0, err.code ?? err.message));
  req.end(signed.body);
}

/** `/debrief setup` in every team channel, a few at a time, before any load: the statuses, in order. */
async function setupTeams({ url, responseUrlPrefix }: { url: string; responseUrlPrefix: string }): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const leads = channelLeads(workforce());
  const statuses: number[] = [];
  for (let i = 0; i < leads.length; i += 8) {
    const batch = leads.slice(i, i + 8).map(
      (lead, j) =>
        new Promise<number>((resolve) => {
          const id = requestId("setup", i + j);
          post(agent, new URL(url), commands.setup(lead, responseUrlPrefix + encodeURIComponent(id)), 10_000, (status) => resolve(status));
        }),
    );
    statuses.push(...(await Promise.all(batch)));
  }
  agent.destroy();
  return statuses;
}

serveParent({ pid: process.pid }, { phase: runPhase, setupTeams }, async () => {});
