import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { COMMAND_QUEUE } from "../../jobs/command-queue.ts";
import { startFakeSlack, type FakeSlack, type SlackCall } from "../support/fake-slack.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { freePort, isListening, killAll, ROOT, spawnDebrief, type DebriefProcess } from "../support/process.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { send, SIGNING_SECRET, slashCommand, type SlashCommandOptions } from "../support/slack-requests.ts";
import { waitFor } from "../support/wait.ts";
import { waitUntilSettled } from "../support/settled.ts";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Debrief as it is deployed: real OS processes (`tsx src/main.ts --role web|worker`) on a shared Postgres and Redis,
 * driven over HTTP with requests signed as Slack signs them, posting to a fake Slack. These prove what only whole
 * processes can: the roles split the work, SIGTERM finishes what is in flight, and start-up fails in one clear line.
 * Every wait is bounded and generous, since each process compiles the app with tsx as it starts.
 */

const START_MS = 90_000; // a cold tsx start on a loaded 2-core machine takes seconds, sometimes many
const TEST_MS = 240_000;

let fake: FakeSlack;
let database: TestDatabase;
let prefix: string;
let dataDir: string;

beforeAll(async () => {
  fake = await startFakeSlack({ displayNames: { U0REPORTER: "Sam" } });
  database = await createTestDatabase();
  prefix = uniquePrefix();
  dataDir = await mkdtemp(join(tmpdir(), "debrief-processes-"));
});

afterAll(async () => {
  await killAll();
  await fake?.close();
  await database?.drop();
  if (prefix) await clearPrefix(prefix);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Processes a single test started; the describe-level web process lives until afterAll. */
const started: DebriefProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
  fake.reset();
});

/** The environment of a deployed process: only what is given here; of the test run's own, just PATH, HOME and TMPDIR. */
function environment(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    LOG_LEVEL: "info",
    DEBRIEF_DATA_DIR: dataDir,
    ...overrides,
  };
}

function debrief(args: string[], env: Record<string, string | undefined>, { perTest = true } = {}): DebriefProcess {
  const p = spawnDebrief({ args, env });
  if (perTest) started.push(p);
  return p;
}

interface Web {
  process: DebriefProcess;
  port: number;
  base: string;
}

/** A `--role web` process, once it listens and its Slack adapter has checked the token. */
async function startWeb(options: { perTest?: boolean } = {}): Promise<Web> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const p = debrief(["--role", "web"], environment({ PORT: String(port) }), options);
    try {
      expect(await p.waitForLog("listening", START_MS)).toMatchObject({ port });
    } catch (err) {
      // Something else took the port between our check and the process binding it: another port, another try.
      if (attempt < 3 && p.stderr().includes("already in use")) continue;
      throw err;
    }
    await p.waitForLog("slack adapter ready", START_MS);
    return { process: p, port, base: `http://127.0.0.1:${port}` };
  }
}

/** A `--role worker` process with a PORT of its own, which it must leave alone. */
async function startWorker(): Promise<{ process: DebriefProcess; port: number }> {
  const port = await freePort();
  return { process: debrief(["--role", "worker"], environment({ PORT: String(port) })), port };
}

let seq = 0;

/** Types a slash command into Slack; `reply()` waits for Debrief's answer at the response_url. */
async function type(web: Web, command: string, text: string, options: SlashCommandOptions) {
  const id = `proc-reply-${++seq}`;
  const ack = await send(`${web.base}/slack/events`, slashCommand({ command, text, responseUrl: fake.responseUrl(id), ...options }));
  return { ack, id, reply: async (timeoutMs = 30_000) => (await fake.waitForResponses(id, 1, timeoutMs))[0]! };
}

async function teamSpace(web: Web, teamId: string, channelId: string): Promise<void> {
  const setup = await type(web, "/debrief", "setup", { teamId, channelId, channelName: `team-${channelId.toLowerCase()}`, userId: "U0SETUP" });
  expect(setup.ack.status).toBe(200);
  expect(JSON.stringify((await setup.reply()).body)).toContain("team space");
}

const postAttempts = (channel: string): SlackCall[] => fake.attemptsAt("chat.postMessage").filter((c) => c.body.channel === channel);

function incidentRows(workspaceId: string) {
  return database.db.selectFrom("incident").select(["number", "summary"]).where("workspace_id", "=", `slack:${workspaceId}`).orderBy("number").execute();
}

/** Commands acknowledged and waiting for a worker. */
async function commandsWaiting(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const queue = new Queue(COMMAND_QUEUE, { connection: redis, prefix });
  try {
    return await queue.getWaitingCount();
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

function deliveryRows(workspaceId: string) {
  return database.db
    .selectFrom("delivery")
    .select(["id", "status", "target_id", "message_id", "attempts"])
    .where("workspace_id", "=", workspaceId)
    .execute();
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

/** The lines a process wrote to stderr. */
const stderrLines = (p: DebriefProcess): string[] => p.stderr().split("\n").filter((l) => l.trim() !== "");

describe("web and worker processes on shared Postgres and Redis", () => {
  let web: Web;

  beforeAll(async () => {
    web = await startWeb({ perTest: false });
  }, START_MS * 2);

  it("acknowledges from the web process alone; the command waits in Redis until a worker runs it, which replies and announces once", { timeout: TEST_MS }, async () => {
    const teamId = "T0SPLIT";
    const channelId = "C0SPLIT";
    const first = await startWorker();
    await teamSpace(web, teamId, channelId);
    first.process.signal("SIGTERM");
    expect(await first.process.waitForExit(30_000), first.process.describe()).toMatchObject({ code: 0 });

    // No worker runs now: the web process acknowledges, and the command waits in the queue, unanswered and unsaved.
    const logged = await type(web, "/incident", "medication low Missed evening meds at Oak House", { teamId, channelId, userId: "U0REPORTER" });
    expect(logged.ack.status).toBe(200);
    expect(logged.ack.text).toBe("");
    // No worker runs, so nothing can take the command: once it is waiting in the queue, it stays there unanswered.
    await waitFor(async () => (await commandsWaiting()) === 1, { timeoutMs: 10_000 });
    expect(fake.responsesTo(logged.id)).toEqual([]);
    expect(await incidentRows(teamId)).toEqual([]);
    expect(await commandsWaiting()).toBe(1);

    // A worker starts: it runs the command, replies to the user, and posts the announcement, each once.
    const worker = await startWorker();
    const reply = (await logged.reply(START_MS)).body;
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toBe("Logged INC-1: Missed evening meds at Oak House");
    const [announcement] = await fake.waitFor(() => postAttempts(channelId).length >= 1 && postAttempts(channelId), START_MS);
    expect(announcement!.body.text).toBe("INC-1 · Medication: Missed evening meds at Oak House");
    await waitFor(async () => (await deliveryRows(teamId))[0]?.status === "sent", { timeoutMs: 30_000 });
    // The command has run to the end (none left in the queue) and every delivery row is sent or failed: no duplicate
    // reply or post can still come.
    await waitUntilSettled({ db: database.db, workspaceId: teamId, prefix, timeoutMs: 30_000 });
    expect(postAttempts(channelId)).toHaveLength(1);
    expect(fake.responsesTo(logged.id)).toHaveLength(1);
    expect(await incidentRows(teamId)).toEqual([{ number: 1, summary: "Missed evening meds at Oak House" }]);
    expect(await commandsWaiting()).toBe(0);

    // The worker serves no HTTP: its PORT is free, and it never said it was listening.
    expect(await isListening(worker.port)).toBe(false);
    expect(worker.process.logs.filter((l) => l.msg === "listening")).toEqual([]);
    expect(worker.process.logs.some((l) => l.msg === "delivery sent")).toBe(true);
    expect(worker.process.exit()).toBeUndefined();
  });

  it("answers /healthz and /readyz, and counts commands and their acknowledgement latency at /metrics", { timeout: TEST_MS }, async () => {
    const health = await get(`${web.base}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: "ok" });

    const ready = await get(`${web.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({ status: "ready", checks: { postgres: "ok", redis: "ok" } });

    // The web process opens forms itself (their trigger_id lasts 3 s); other commands it counts only as acknowledged.
    const form = await type(web, "/incident", "", { teamId: "T0METRICS", channelId: "C0METRICS", userId: "U0REPORTER" });
    expect(form.ack.status).toBe(200);
    await fake.waitForCalls("views.open");

    // The counter goes up once the core has answered, a moment before the form opens: poll, don't assume.
    const metrics = await waitFor(
      async () => {
        const scrape = await get(`${web.base}/metrics`);
        expect(scrape.status).toBe(200);
        expect(scrape.text).toMatch(/^debrief_commands_total\{platform="slack",command="incident",outcome="[a-z_]+"\} [1-9]\d*$/m);
        return scrape.text;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(metrics).toContain("# TYPE debrief_ack_latency_seconds histogram");
    // Commands for a worker are counted as queued here, and by outcome where a worker runs them.
    const queuedSoFar = async () => {
      const found = /^debrief_commands_queued_total\{platform="slack",command="incident"\} (\d+)$/m.exec((await get(`${web.base}/metrics`)).text);
      return Number(found?.[1] ?? 0);
    };
    const before = await queuedSoFar();
    const listed = await type(web, "/incident", "list", { teamId: "T0METRICS", channelId: "C0METRICS", userId: "U0REPORTER" });
    expect(listed.ack.status).toBe(200);
    expect(await queuedSoFar()).toBe(before + 1);
    expect(metrics).toMatch(/^debrief_ack_latency_seconds_count\{platform="slack",command="incident"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^debrief_ack_latency_seconds_bucket\{le="3",platform="slack",command="incident"\} [1-9]\d*$/m);
    expect(metrics).toContain("debrief_delivery_queue_depth");
  });
});

describe("one person's commands", () => {
  it("run in the order they were sent across two worker processes: /debrief setup then /debrief lead, 10 ms apart", { timeout: TEST_MS }, async () => {
    const teamId = "T0TURNS";
    const where = { teamId, channelId: "C0TURNS", channelName: "team-c0turns", userId: "UADMIN" };
    const [web, ...workers] = await Promise.all([startWeb(), startWorker(), startWorker()]);
    await Promise.all(workers.map((w) => w.process.waitForLog("database ready", START_MS)));
    // Debrief has met them before, as it has most people: nothing about them to look up delays either command.
    await (await type(web, "/incident", "list", where)).reply(START_MS);

    const setup = await type(web, "/debrief", "setup", where);
    await sleep(10);
    const lead = await type(web, "/debrief", "lead <@U0LEAD>", where);
    expect(JSON.stringify((await setup.reply()).body)).toContain("team space");
    expect(JSON.stringify((await lead.reply()).body)).toContain("is now the lead");
    const team = await database.db.selectFrom("team").select("lead_id").where("workspace_id", "=", `slack:${teamId}`).executeTakeFirstOrThrow();
    expect(team.lead_id).toBe(`slack:${teamId}:U0LEAD`);
  });
});

describe("SIGTERM", () => {
  it("lets a worker finish the message it is posting, marks it sent, and exit 0", { timeout: TEST_MS }, async () => {
    const teamId = "T0TERMW";
    const channelId = "C0TERMW";
    const [web, worker] = await Promise.all([startWeb(), startWorker()]);
    await teamSpace(web, teamId, channelId);

    // Long enough that, even on a loaded machine, the signal lands while the post is still in flight.
    fake.delay("chat.postMessage", 4000);
    const logged = await type(web, "/incident", "fall none Resident slipped in the lounge", { teamId, channelId, userId: "U0REPORTER" });
    expect(logged.ack.status).toBe(200);
    expect((await logged.reply()).body.text).toBe("Logged INC-1: Resident slipped in the lounge");

    // Slack has the post and is taking its time answering: the worker is mid-send when it is told to stop.
    const [arrived] = await fake.waitFor(() => postAttempts(channelId).length >= 1 && postAttempts(channelId), START_MS);
    expect((await deliveryRows(teamId))[0]!.status).toBe("sending");
    worker.process.signal("SIGTERM");

    const exit = await worker.process.waitForExit(30_000);
    expect(exit, worker.process.describe()).toMatchObject({ code: 0, signal: null });
    expect(arrived!.answeredAt).toBeDefined();
    expect(exit.at).toBeGreaterThanOrEqual(arrived!.answeredAt!);
    const rows = await deliveryRows(teamId);
    expect(rows).toHaveLength(1);
    const messages = worker.process.logs.map((l) => l.msg);
    const why = worker.process.describe();
    // Earlier deliveries (the role direct messages of setting up the team) may be logged before the signal:
    // what matters is that this announcement's send finished after it.
    const announcementSent = worker.process.logs.findIndex((l) => l.msg === "delivery sent" && String(l.deliveryId) === String(rows[0]!.id));
    expect(messages, why).toContain("stopping: finishing what is in flight");
    expect(announcementSent, why).toBeGreaterThan(messages.indexOf("stopping: finishing what is in flight"));
    expect(messages.at(-1), why).toBe("stopped");
    expect(worker.process.stderr(), why).toBe("");

    expect(rows[0]).toMatchObject({ status: "sent", attempts: 1, message_id: expect.any(String) });
    expect(postAttempts(channelId)).toHaveLength(1);
  });

  it("lets the web process open the form it owes, then exit 0 within a few seconds, saying it stopped", { timeout: TEST_MS }, async () => {
    const web = await startWeb();
    // Slack is slow to open the modal, so the web process is still opening it when SIGTERM arrives.
    fake.delay("views.open", 1500);
    const form = await type(web, "/incident", "", { teamId: "T0TERMWEB", channelId: "C0TERMWEB", userId: "U0REPORTER" });
    expect(form.ack.status).toBe(200);
    await fake.waitFor(() => fake.attemptsAt("views.open").length >= 1);
    const signalledAt = Date.now();
    web.process.signal("SIGTERM");

    const exit = await web.process.waitForExit(30_000);
    expect(exit, web.process.describe()).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(10_000);
    const [opened] = fake.attemptsAt("views.open");
    expect(opened!.body.view).toMatchObject({ type: "modal", callback_id: "incident.new" });
    expect(exit.at).toBeGreaterThanOrEqual(opened!.answeredAt!);

    const why = web.process.describe();
    expect(web.process.logs.find((l) => l.msg === "stopping: finishing what is in flight"), why).toMatchObject({ signal: "SIGTERM" });
    expect(web.process.logs.at(-1), why).toMatchObject({ msg: "stopped" });
    expect(web.process.stderr(), why).toBe("");
    expect(await isListening(web.port)).toBe(false);
  });
});

describe("the log at exit", () => {
  /** Runs `script` with tsx, its stdout read by a reader that starts `lagSeconds` late, as a busy log shipper might. */
  function runBehindSlowReader(script: string, lagSeconds: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        "bash",
        ["-c", `"$0" --import tsx "$1" | (sleep ${lagSeconds}; cat)`, process.execPath, script],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
  }

  it("keeps the last lines whole and in order when the process exits while stdout is still being read", { timeout: TEST_MS }, async () => {
    // What main.ts does on SIGTERM: it logs, logs "stopped" and calls process.exit(0) at once. A line too big for the
    // pipe is still being written at that moment, so whatever is written late is lost or lands after "stopped".
    const script = join(dataDir, "log-then-exit.mjs");
    const logger = pathToFileURL(join(ROOT, "src/infra/logger.ts")).href;
    await writeFile(
      script,
      [
        `const { createLogger } = await import(${JSON.stringify(logger)});`,
        `const log = createLogger("info");`,
        `log.info("stopping: finishing what is in flight");`,
        `await new Promise((resolve) => setTimeout(resolve, 50));`,
        `log.info({ detail: "x".repeat(100000) }, "delivery sent");`,
        `log.info("stopped");`,
        `process.exit(0);`,
      ].join("\n"),
    );
    // Three at once: losing a line is a race, which one run alone can win by luck.
    const outputs = await Promise.all([1, 2, 3].map(() => runBehindSlowReader(script, 0.5)));
    for (const output of outputs) {
      const messages = output.split("\n").filter(Boolean).map((line) => {
        try {
          return (JSON.parse(line) as { msg: string }).msg;
        } catch {
          return `(a broken line of ${line.length} characters)`;
        }
      });
      expect(messages).toEqual(["stopping: finishing what is in flight", "delivery sent", "stopped"]);
    }
  });
});

describe("start-up that cannot work stops at once, in one line", () => {
  it.each([
    { name: "PORT=abc", args: [], env: { PORT: "abc" }, says: /^debrief: PORT="abc" must be a whole number/ },
    { name: "ESCALATION_LADDER=P1D:boss", args: [], env: { ESCALATION_LADDER: "P1D:boss" }, says: /^debrief: ESCALATION_LADDER step "P1D:boss" must be offset:target/ },
    { name: "--role nonsense", args: ["--role", "nonsense"], env: {}, says: /^debrief: --role nonsense is not a role; use --role web, --role worker/ },
  ])("$name: exit code 1 and one line on stderr naming it", { timeout: TEST_MS }, async ({ args, env, says }) => {
    const p = debrief(args, environment({ PORT: String(await freePort()), ...env }));
    const exit = await p.waitForExit(START_MS);
    expect(exit.code, p.describe()).toBe(1);
    const lines = stderrLines(p);
    expect(lines, p.describe()).toHaveLength(1);
    expect(lines[0]).toMatch(says);
    // Nothing else was printed: no log line, since nothing was started.
    expect(p.logs, p.describe()).toEqual([]);
    expect(p.otherOutput).toEqual([]);
  });

  it("without REDIS_URL and without redis-server on PATH, says how to install Redis or set REDIS_URL", { timeout: TEST_MS }, async () => {
    // An empty directory as PATH: no redis-server to be found (node is run by its full path).
    const emptyPath = await mkdtemp(join(tmpdir(), "debrief-no-redis-"));
    try {
      const p = debrief([], environment({ REDIS_URL: undefined, PATH: emptyPath, PORT: String(await freePort()) }));
      const exit = await p.waitForExit(START_MS);
      expect(exit.code, p.describe()).toBe(1);
      const lines = stderrLines(p);
      expect(lines, p.describe()).toHaveLength(1);
      expect(lines[0]).toMatch(/^debrief: could not start: Redis is needed; install it \(.*redis.*\) or set REDIS_URL=redis:\/\//);
      expect(p.logs.find((l) => l.msg === "start-up failed")).toBeDefined();
    } finally {
      await rm(emptyPath, { recursive: true, force: true });
    }
  });
});
