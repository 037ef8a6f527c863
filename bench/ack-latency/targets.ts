import { startChild, type Child } from "./ipc.ts";
import type { Resources } from "./resources.ts";

/** The processes a run starts: the fake Slack, the two servers under test, and the load generator. */

export interface ServerInfo {
  port: number;
  pid: number;
}

export interface Target {
  name: "bare-bolt" | "debrief";
  /** Where Slack would POST: the Events API / slash-command endpoint. */
  endpoint: string;
  server: Child<ServerInfo>;
  /** Further processes of the target (Debrief's worker, when the roles run apart); their CPU counts as the server's. */
  helpers: Child<ServerInfo>[];
  /** Whether the target replies to the response_url (Debrief does; the bare app only acknowledges). */
  replies: boolean;
  /** Whether the process reports where its time went (Debrief with BENCH_PROFILE=1). */
  profiled: boolean;
}

export interface FakeSlackInfo {
  url: string;
  responseUrlPrefix: string;
}

export interface RunFiles {
  /** Prefix for this run's files in bench/results/, e.g. bench/results/2026-11-30T10-00-00. */
  prefix: string;
  /** Whether Debrief reports where its time went and writes a CPU profile per phase (BENCH_PROFILE=1). */
  profile: boolean;
  /** Whether Debrief runs as a web process and a worker process (the default) or as one (BENCH_ONE_PROCESS=1). */
  splitRoles: boolean;
}

const here = (file: string) => new URL(file, import.meta.url);
const BOT_TOKEN = "xoxb-bench-0000000000-0000000000000-benchbenchbenchbenchbench";

export function startFakeSlack(files: RunFiles): Promise<Child<FakeSlackInfo>> {
  return startChild<FakeSlackInfo>("fake Slack", here("fake-slack-server.ts"), { logFile: `${files.prefix}-fake-slack.log` });
}

export function startLoadGenerator(files: RunFiles, signingSecret: string): Promise<Child<{ pid: number }>> {
  return startChild("load generator", here("load.ts"), {
    logFile: `${files.prefix}-load.log`,
    env: { BENCH_SIGNING_SECRET: signingSecret },
  });
}

export async function startBareBolt(files: RunFiles, slack: FakeSlackInfo, signingSecret: string): Promise<Target> {
  const server = await startChild<ServerInfo>("bare Bolt", here("bare-bolt-server.ts"), {
    logFile: `${files.prefix}-bare-bolt.log`,
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url },
  });
  return { name: "bare-bolt", endpoint: `http://127.0.0.1:${server.info.port}/slack/events`, server, helpers: [], replies: false, profiled: false };
}

/** The worker's CPU priority beside the web process, as `nice -n 10 npm start -- --role worker` would set it. */
export const WORKER_NICENESS = 19;

/** Debrief configured only through its environment, as an operator would run it. */
export async function startDebrief(files: RunFiles, slack: FakeSlackInfo, signingSecret: string, resources: Resources): Promise<Target> {
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    DATABASE_URL: resources.databaseUrl,
    REDIS_URL: resources.redisUrl,
    REDIS_PREFIX: resources.redisPrefix,
    PORT: "0",
    // The default level, as deployed; the lines go to the run's log file.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    // Announcements and replies do not depend on working hours; fixed so the run is the same any day.
    WORKING_HOURS: "always",
    TIME_ZONE: "Europe/London",
  };
  const server = await startChild<ServerInfo>("Debrief", here("debrief-server.ts"), {
    logFile: `${files.prefix}-debrief.log`,
    env: { ...env, BENCH_DEBRIEF_ROLE: files.splitRoles ? "web" : "all", ...(files.profile ? { BENCH_PROFILE: "1" } : {}) },
  });
  const helpers = files.splitRoles
    ? [
        await startChild<ServerInfo>("Debrief worker", here("debrief-server.ts"), {
          logFile: `${files.prefix}-debrief-worker.log`,
          env: { ...env, BENCH_DEBRIEF_ROLE: "worker", BENCH_NICE: String(WORKER_NICENESS), ...(files.profile ? { BENCH_PROFILE: "1" } : {}) },
        }),
      ]
    : [];
  return { name: "debrief", endpoint: `http://127.0.0.1:${server.info.port}/slack/events`, server, helpers, replies: true, profiled: files.profile };
}
