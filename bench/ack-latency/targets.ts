import { startChild, type Child } from "./ipc.ts";
import type { Resources } from "./resources.ts";
import { channelLeads, workforce } from "./workload.ts";

/** The processes a run starts: the fake Slack, Debrief and the Bolt apps it is compared with, and the load generator. */

export interface ServerInfo {
  port: number;
  pid: number;
}

/** The Bolt apps Debrief is compared with, and the file each runs. */
const PEER_FILES = { "bare-bolt": "bare-bolt-server.ts", "redis-ack": "redis-ack-server.ts", "postgres-ack": "postgres-ack-server.ts" } as const;
type PeerName = keyof typeof PEER_FILES;

export interface Target {
  name: PeerName | "debrief";
  /** Where Slack would POST: the Events API / slash-command endpoint. */
  endpoint: string;
  server: Child<ServerInfo>;
  /** Further processes of the target (Debrief's worker, when the roles run apart); their CPU counts as the server's. */
  helpers: Child<ServerInfo>[];
  /** Whether the target replies to the response_url (Debrief does; the bare app only acknowledges). */
  replies: boolean;
  /** Whether the process writes a CPU profile per phase (BENCH_PROFILE=1), and for Debrief says where its time went. */
  profiled: boolean;
}

export interface FakeSlackInfo {
  url: string;
  responseUrlPrefix: string;
}

export interface RunFiles {
  /** Prefix for this run's files in bench/results/, e.g. bench/results/2026-11-30T10-00-00. */
  prefix: string;
  /** Whether every server writes a CPU profile per phase, and Debrief reports where its time went (BENCH_PROFILE=1). */
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

/** A Bolt app of the bench's own (bolt-peer.ts): it acknowledges, after storing the command if it stores one. */
async function startPeer(files: RunFiles, name: PeerName, slack: FakeSlackInfo, signingSecret: string, env: Record<string, string> = {}): Promise<Target> {
  const server = await startChild<ServerInfo>(name, here(PEER_FILES[name]), {
    logFile: `${files.prefix}-${name}.log`,
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, ...env, ...(files.profile ? { BENCH_PROFILE: "1" } : {}) },
  });
  return { name, endpoint: `http://127.0.0.1:${server.info.port}/slack/events`, server, helpers: [], replies: false, profiled: files.profile };
}

export const startBareBolt = (files: RunFiles, slack: FakeSlackInfo, signingSecret: string): Promise<Target> =>
  startPeer(files, "bare-bolt", slack, signingSecret);

/** The durable floor: one XADD under the peers' Redis prefix, then the ack. */
export const startRedisPeer = (files: RunFiles, slack: FakeSlackInfo, signingSecret: string, resources: Resources): Promise<Target> =>
  startPeer(files, "redis-ack", slack, signingSecret, { REDIS_URL: resources.redisUrl, REDIS_PREFIX: resources.redisPrefix });

/** The usual hand-written bot: one INSERT into the peers' own database, then the ack. */
export const startPostgresPeer = (files: RunFiles, slack: FakeSlackInfo, signingSecret: string, resources: Resources): Promise<Target> =>
  startPeer(files, "postgres-ack", slack, signingSecret, { DATABASE_URL: resources.databaseUrl });

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
    // Only an admin makes a channel a team space: the people who run /debrief setup before the load are admins here.
    DEBRIEF_ADMINS: channelLeads(workforce()).map((p) => p.userId).join(","),
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
