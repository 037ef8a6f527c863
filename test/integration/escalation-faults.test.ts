import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { describe, expect, it, type TestContext } from "vitest";
import { STALE_SENDING_MS } from "../../jobs/delivery-reconcile.ts";
import { readConfig, settingsOf } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import { startDebrief } from "../../src/main.ts";
import { startFakeSlack, type FakeSlack, type SlackCall } from "../support/fake-slack.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog } from "../support/fakes.ts";
import { replyOf, textOf } from "../support/outcomes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { freePort, spawnDebrief, type DebriefProcess } from "../support/process.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { SIGNING_SECRET } from "../support/slack-requests.ts";
import { waitFor } from "../support/wait.ts";

/**
 * The escalation ladder under faults (issue 9, "How it is checked"): overdue actions of four teams, added through the
 * real core as `/action` adds them, swept by Debrief's worker role (as OS processes where there are two of them or one
 * is to be SIGKILLed, else in this process through src/main.ts) over real Postgres and Redis, posting to the fake Slack
 * API. Each test checks that every step of every action's climb is posted once, in the message the sweep recorded for
 * it, however the workers or Slack misbehave.
 *
 * The ladder is of seconds (owner at the due time, manager 2 s on, lead 4 s on) and the sweep runs every second. Actions
 * are added due in an hour, then made due now in SQL with their ladder at its first step, as the hour passing would:
 * the sweep reads the database's clock.
 *
 * How a post is matched to its step: every escalation message's buttons carry `A-n <message key>`, and each step row
 * names the message key that carried it. The tests run at the same time, each on its own database, Redis prefix and
 * fake Slack.
 */

const SETTINGS = {
  ESCALATION_LADDER: "PT0S:owner,PT2S:manager,PT4S:lead",
  SWEEP_EVERY: "PT1S",
  WORKING_HOURS: "always",
  REFLECTION_SCHEDULE: "P30D",
};

// Four team channels, each with a lead and a manager of five owners, each owning two actions: 40 actions, 120 steps.
const TEAMS = 4;
const OWNERS = 5;
const PER_OWNER = 2;
const ACTIONS = TEAMS * OWNERS * PER_OWNER;
const STAGES = ["owner", "manager", "lead"] as const;

const channelOf = (t: number) => `C${t}TEAM`;
const leadOf = (t: number) => `U${t}LEAD`;
const managerOf = (t: number) => `U${t}MGR`;
const ownerOf = (t: number, o: number) => `U${t}OWN${o}`;

/**
 * Waits until nothing more can be posted: every delivery has settled (none pending or sending, so no worker can still
 * send one) and every action has climbed to the ladder's end (no next step, so no sweep can take another).
 */
async function settled(w: World): Promise<void> {
  await waitFor(async () => {
    const live = await w.database.db.selectFrom("delivery").select("id").where("status", "in", ["pending", "sending"]).executeTakeFirst();
    const climbing = await w.database.db.selectFrom("action").select("id").where("status", "=", "open").where("next_step_at", "is not", null).executeTakeFirst();
    return !live && !climbing;
  }, { timeoutMs: 30_000 });
}

/** Counts and timings for whoever runs this by hand: ESCALATION_FAULTS_REPORT=1 npx vitest run test/integration/escalation-faults.test.ts */
const report = (line: string) => {
  if (process.env.ESCALATION_FAULTS_REPORT) console.info(`[escalation-faults] ${line}`);
};

/** One test's world: its own database, Redis prefix, fake Slack and data directory, removed when the test ends. */
interface World {
  database: TestDatabase;
  prefix: string;
  fake: FakeSlack;
  dataDir: string;
  environment(overrides?: Record<string, string>): Record<string, string | undefined>;
}

async function world({ onTestFinished }: TestContext): Promise<World> {
  const [database, fake, dataDir] = await Promise.all([createTestDatabase(), startFakeSlack(), mkdtemp(join(tmpdir(), "debrief-escalation-faults-"))]);
  const prefix = uniquePrefix();
  // Registered first, so it runs last: after the workers this test started have stopped.
  onTestFinished(async () => {
    await clearPrefix(prefix);
    await fake.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    database,
    prefix,
    fake,
    dataDir,
    environment: (overrides = {}) => ({
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
      ...SETTINGS,
      ...overrides,
    }),
  };
}

/** Debrief's worker role in this process, wired as `npm start -- --role worker` wires it. */
async function startWorkerHere(w: World, { onTestFinished }: TestContext): Promise<void> {
  const running = await startDebrief(readConfig(w.environment()), { role: "worker", log: silentLog });
  onTestFinished(() => running.stop());
}

/** Debrief's worker role as an OS process of its own (`tsx src/main.ts --role worker`). */
async function spawnWorker(w: World, { onTestFinished }: TestContext, overrides: Record<string, string> = {}): Promise<DebriefProcess> {
  const worker = spawnDebrief({ args: ["--role", "worker"], env: { ...w.environment(overrides), PORT: String(await freePort()) } });
  onTestFinished(() => worker.kill());
  return worker;
}

/**
 * The four teams, through the core as the web process runs `/debrief` and `/action`: each channel made a team space
 * with its lead, the manager of its five owners set, an incident logged and ten actions added, due in an hour. Their
 * messages (roles, announcements, "you have a new action") are recorded for the workers to send.
 */
async function addActions(w: World): Promise<void> {
  const directory = new FakeDirectory();
  directory.admins.add("UADMIN");
  const config = settingsOf(readConfig(w.environment()));
  const debrief = createDebrief({
    db: w.database.db,
    deliveries: new FakeScheduler(), // the workers' reconcile queues what this records
    prompts: new FakeScheduler(),
    directories: { slack: directory },
    files: {},
    config,
    log: silentLog,
    now: () => new Date(),
  });
  // On a machine this loaded (worker processes compiling as they start), Postgres can be slower than the core's 2 s
  // query timeout; the core then says so, saves nothing, and asks to try again, which is what a person would do.
  const say = async (who: string, channel: string, name: string, text: string, channelName?: string): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      const said = textOf(replyOf(await debrief.command(interaction(who, channel, channelName), name, text)));
      if (!said.includes("could not reach its database") || attempt === 50) return said;
      await sleep(50);
    }
  };
  await Promise.all(
    Array.from({ length: TEAMS }, async (_, t) => {
      const channel = channelOf(t);
      expect(await say("UADMIN", channel, "debrief", "setup", `team-${t}`)).toContain("team space");
      expect(await say("UADMIN", channel, "debrief", `lead <@${leadOf(t)}>`)).toContain("is now the lead");
      for (let o = 0; o < OWNERS; o++) expect(await say(leadOf(t), channel, "debrief", `manager <@${ownerOf(t, o)}> <@${managerOf(t)}>`)).toContain("Reporting line set");
      const logged = await say(`U${t}REP`, channel, "incident", `medication low Wrong dose given on round ${t}`);
      const incident = /INC-\d+/.exec(logged)?.[0];
      expect(incident, logged).toBeDefined();
      for (let k = 0; k < PER_OWNER; k++) {
        for (let o = 0; o < OWNERS; o++) {
          expect(await say(`U${t}REP`, channel, "action", `${incident} <@${ownerOf(t, o)}> in 1 hour Task ${k} for owner ${o} of team ${t}`)).toMatch(/A-\d+/);
        }
      }
    }),
  );
  expect(await w.database.db.selectFrom("action").select("id").execute()).toHaveLength(ACTIONS);
}

/**
 * The hour passes: every action is due, at the first step of its ladder. `spreadMs` apart in the order they were added
 * (0: all at the same instant), so that sweeps a second apart each find some.
 */
async function dueNow(w: World, spreadMs = 0): Promise<void> {
  await sql`
    update action set due_at = now() + r.n * ${spreadMs} * interval '1 millisecond', next_step_at = now() + r.n * ${spreadMs} * interval '1 millisecond', escalation_step = 1
    from (select id, row_number() over (order by id) - 1 as n from action) r
    where action.id = r.id`.execute(w.database.db);
}

// ── what was posted, and what the sweeps recorded ────────────────────────────

type Button = { action_id: string; value: string };
const buttonsOf = (body: Record<string, any>): Button[] => ((body.blocks ?? []) as any[]).filter((b) => b.type === "actions").flatMap((b) => b.elements);

/** The escalation message a post is (its buttons name it); not a "new action" DM, which has the same buttons. */
function messageKeyOf(call: SlackCall): string | undefined {
  const key = buttonsOf(call.body).find((b) => b.action_id.startsWith("escalation."))?.value.split(" ")[1];
  return key?.startsWith("escalation-") ? key : undefined;
}
const refsIn = (call: SlackCall): string[] => [...new Set(buttonsOf(call.body).filter((b) => b.action_id.startsWith("escalation.")).map((b) => b.value.split(" ")[0]!))];

/** Successful escalation posts, by the message they carry. */
function postsByMessage(fake: FakeSlack): Map<string, SlackCall[]> {
  const by = new Map<string, SlackCall[]>();
  for (const call of fake.callsTo("chat.postMessage")) {
    const key = messageKeyOf(call);
    if (key) by.set(key, [...(by.get(key) ?? []), call]);
  }
  return by;
}

interface StepRow {
  action: string;
  stage: number;
  target: string;
  place: string;
  key: string;
  owner: string;
  channel: string;
}

async function stepRows(w: World): Promise<StepRow[]> {
  const rows = await w.database.db
    .selectFrom("escalation_step")
    .innerJoin("action", "action.id", "escalation_step.action_id")
    .innerJoin("person", "person.id", "action.owner_id")
    .innerJoin("incident", "incident.id", "action.incident_id")
    .innerJoin("team", "team.id", "incident.team_id")
    .select(["action.number", "escalation_step.stage", "escalation_step.target", "escalation_step.place", "escalation_step.message_key", "person.user_id", "team.channel_id"])
    .orderBy("escalation_step.id")
    .execute();
  return rows.map((r) => ({ action: `A-${r.number}`, stage: r.stage, target: r.target, place: r.place, key: r.message_key, owner: r.user_id, channel: r.channel_id }));
}

async function escalationDeliveries(w: World): Promise<{ key: string; status: string }[]> {
  const rows = await w.database.db.selectFrom("delivery").select(["dedupe_key", "status"]).where("dedupe_key", "like", "escalation-%").execute();
  return rows.map((r) => ({ key: r.dedupe_key, status: r.status }));
}

/** Every action has climbed its whole ladder: 120 steps recorded, and every message carrying them sent and at Slack. */
async function allEscalated(w: World, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const steps = await stepRows(w);
      expect(steps).toHaveLength(ACTIONS * STAGES.length);
      const messages = await escalationDeliveries(w);
      expect(messages.filter((m) => m.status !== "sent")).toEqual([]);
      const posted = postsByMessage(w.fake);
      expect(new Set(steps.map((s) => s.key)).size).toBe(messages.length);
      expect(messages.filter((m) => !posted.has(m.key)).map((m) => m.key)).toEqual([]);
      return true;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/**
 * Each action took each stage once, in order, to the right place; each message that carried steps was posted once
 * where its steps belong, listing them as the sweep grouped them; nothing else.
 */
async function expectEachStepOnce(w: World): Promise<{ messages: number }> {
  const steps = await stepRows(w);
  const byAction = new Map<string, StepRow[]>();
  for (const s of steps) byAction.set(s.action, [...(byAction.get(s.action) ?? []), s]);
  expect(byAction.size).toBe(ACTIONS);
  for (const [action, taken] of byAction) {
    expect(taken.map((s) => `${s.stage} ${s.target} ${s.place}`), action).toEqual(["1 owner person", "2 manager channel", "3 lead channel"]);
  }

  const posted = postsByMessage(w.fake);
  const byMessage = new Map<string, StepRow[]>();
  for (const s of steps) byMessage.set(s.key, [...(byMessage.get(s.key) ?? []), s]);
  // No post of a message the sweeps did not record, and none of one twice.
  expect([...posted.keys()].filter((key) => !byMessage.has(key))).toEqual([]);
  const repeated = [...posted].filter(([, calls]) => calls.length > 1).map(([key, calls]) => `${key} ×${calls.length}`);
  expect(repeated).toEqual([]);
  for (const [key, carried] of byMessage) {
    const calls = posted.get(key);
    expect(calls, `message ${key} was never posted`).toBeDefined();
    const [first] = carried;
    // One recipient and one place per message: the owner's DM, or their team's channel.
    for (const s of carried) expect(`${s.target} ${s.place} ${s.place === "person" ? s.owner : s.channel}`).toBe(`${first!.target} ${first!.place} ${first!.place === "person" ? first!.owner : first!.channel}`);
    for (const call of calls!) {
      expect(call.body.channel).toBe(first!.place === "person" ? first!.owner : first!.channel);
      // The actions it lists with buttons are its steps', in the order the sweep grouped them (ten at most, then a summary).
      expect(refsIn(call)).toEqual(carried.slice(0, 10).map((s) => s.action));
      if (first!.place === "channel") expect(String(call.body.blocks[0]?.text?.text ?? "")).toMatch(first!.target === "lead" ? /^<@U\dLEAD>: / : /^<@U\dMGR>: /);
    }
  }
  return { messages: byMessage.size };
}

/**
 * Whether a sweep is part way through taking steps: another session's transaction holds the action table's
 * RowExclusiveLock, which only moving actions on takes (nothing else writes actions while the ladder climbs here).
 */
async function sweepHoldsActions(w: World): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
    where l.database = (select oid from pg_database where datname = current_database())
      and c.relname = 'action' and l.mode = 'RowExclusiveLock' and l.granted and l.pid <> pg_backend_pid()`.execute(w.database.db);
  return rows[0]!.n > 0;
}

/** Log lines of the sweeps that took steps, with how many. */
const sweepsOf = (p: DebriefProcess) => p.logs.filter((l) => l.msg === "escalation sweep").map((l) => Number(l.steps));

// ── the tests ────────────────────────────────────────────────────────────────

describe.concurrent("the escalation ladder under faults", () => {
  it("sends every step exactly once when two worker processes sweep the same database at the same moments", { timeout: 120_000 }, async (test) => {
    const w = await world(test);
    // Each worker with a Redis prefix of its own, so each runs its own sweep every second and both sweep together. On
    // one prefix BullMQ hands each run of the sweep to one worker, and two overlap only when one overruns; here every
    // run of each races a run of the other, over the same rows, with FOR UPDATE SKIP LOCKED all that keeps them apart.
    // Their delivery workers race too: each one's reconcile queues every pending message.
    const [one, two] = await Promise.all([spawnWorker(w, test, { REDIS_PREFIX: `${w.prefix}-one` }), spawnWorker(w, test, { REDIS_PREFIX: `${w.prefix}-two` })]);
    test.onTestFinished(async () => {
      await clearPrefix(`${w.prefix}-one`);
      await clearPrefix(`${w.prefix}-two`);
    });
    await addActions(w);
    await Promise.all([one.waitForLog("database ready", 90_000), two.waitForLog("database ready", 90_000)]);
    // Let the setup messages go first (as they would in the hour), so the ladder's posts are not held behind them.
    await waitFor(async () => (await w.database.db.selectFrom("delivery").select("id").where("status", "!=", "sent").execute()).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    // 40 actions falling due over 4 s: every sweep of either worker finds some.
    const started = Date.now();
    await dueNow(w, 100);

    await allEscalated(w, 60_000);
    report(`two workers: all ${ACTIONS * 3} steps posted ${Date.now() - started} ms after the first was due`);
    await settled(w);
    const { messages } = await expectEachStepOnce(w);
    // Both workers took steps, and between them each step once.
    const [byOne, byTwo] = [sweepsOf(one), sweepsOf(two)];
    report(`two workers: ${messages} messages; steps per sweep, worker one ${JSON.stringify(byOne)}, worker two ${JSON.stringify(byTwo)}`);
    expect(byOne.length, one.describe()).toBeGreaterThan(0);
    expect(byTwo.length, two.describe()).toBeGreaterThan(0);
    expect([...byOne, ...byTwo].reduce((a, b) => a + b, 0)).toBe(ACTIONS * 3);
    expect(one.exit()).toBeUndefined();
    expect(two.exit()).toBeUndefined();
  });

  it("sends every step once, none doubled, when Slack answers 429 with Retry-After to a third of posts", { timeout: 120_000 }, async (test) => {
    const w = await world(test);
    const { fake } = w;
    // Every third post is refused with 429 and Retry-After: 1. The fake fails the next n calls it gets, so the refusal for
    // the next post is queued as each post arrives (its waitFor probes run on every call).
    let stop = false;
    let seen = 0;
    test.onTestFinished(() => {
      stop = true;
    });
    void fake
      .waitFor(() => {
        const attempts = fake.attemptsAt("chat.postMessage").length;
        if (attempts > seen) {
          seen = attempts;
          if ((attempts + 1) % 3 === 0) fake.failNext("chat.postMessage", 1, { kind: "rate_limited", retryAfterSeconds: 1 });
        }
        return stop;
      }, 300_000)
      .catch(() => undefined);

    await addActions(w);
    await startWorkerHere(w, test);
    await waitFor(async () => (await w.database.db.selectFrom("delivery").select("id").where("status", "!=", "sent").execute()).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    const started = Date.now();
    await dueNow(w);
    await allEscalated(w, 60_000);
    report(`429: all ${ACTIONS * 3} steps posted ${Date.now() - started} ms after they were due`);
    await settled(w);
    stop = true;

    await expectEachStepOnce(w);
    const attempts = fake.attemptsAt("chat.postMessage").filter((c) => c.at >= started);
    const refused = attempts.filter((c) => c.failed?.kind === "rate_limited");
    report(`429: ${attempts.length} posts tried after the due time, ${refused.length} answered 429`);
    expect(refused.filter((c) => messageKeyOf(c)).length).toBeGreaterThanOrEqual(8);
    expect(refused.length).toBeGreaterThan(attempts.length / 4);
    // Retry-After honoured: nothing was posted to a conversation within a second of Slack refusing a post to it.
    for (const no of refused) {
      const tooSoon = fake.callsTo("chat.postMessage").filter((c) => c.body.channel === no.body.channel && c.at > no.at && c.at < no.answeredAt! + 950);
      expect(tooSoon.map((c) => `${c.body.channel} ${c.at - no.answeredAt!} ms after a 429`)).toEqual([]);
    }
  });

  it("loses nothing, and doubles nothing, when a worker is SIGKILLed mid-sweep with posts in flight and restarted", { timeout: 150_000 }, async (test) => {
    const w = await world(test);
    const { fake, database } = w;
    const first = await spawnWorker(w, test);
    await addActions(w);
    await first.waitForLog("database ready", 90_000);
    await waitFor(async () => (await database.db.selectFrom("delivery").select("id").where("status", "!=", "sent").execute()).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    // Slack takes 1.5 s over each post from now, so the owners' twenty direct messages are still going out when the
    // managers' steps fall due, 2 s after the owners'.
    fake.delay("chat.postMessage", 1_500);
    await dueNow(w);

    // Kill the worker, and everything it runs, once owners' posts are in flight and a sweep is taking steps: its
    // transaction holds the action rows it is moving on. (Polled tightly: a sweep of 40 actions is over in moments.)
    const unanswered = () => fake.attemptsAt("chat.postMessage").filter((c) => c.answeredAt === undefined && messageKeyOf(c)).length;
    const deadline = Date.now() + 30_000;
    let midSweep = false;
    while (Date.now() < deadline) {
      if (unanswered() > 0 && (await sweepHoldsActions(w)) && (await stepRows(w)).length > 0) {
        midSweep = true;
        break;
      }
      await sleep(2);
    }
    await first.kill();
    fake.delay("chat.postMessage", 0);
    expect(midSweep, "a sweep taking steps while posts were in flight, within 30 s").toBe(true);

    // What the crash left. The sweep it cut short recorded nothing: its steps are still due, to be taken again.
    const stepsAtKill = (await stepRows(w)).length;
    await waitFor(async () => !(await sweepHoldsActions(w)), { timeoutMs: 10_000 });
    expect((await stepRows(w)).length).toBe(stepsAtKill);
    expect(stepsAtKill).toBeLessThan(ACTIONS * 3);
    // A message whose row says sent was posted once; one still pending was not posted at all.
    const atKill = await escalationDeliveries(w);
    const posted = postsByMessage(fake);
    const byStatus = (status: string) => atKill.filter((m) => m.status === status);
    for (const m of byStatus("sent")) expect(posted.get(m.key), m.key).toHaveLength(1);
    for (const m of byStatus("pending")) expect(posted.get(m.key), m.key).toBeUndefined();
    // A message in `sending` whose post had reached Slack was taken, but its row does not say so. Its next send finds it
    // at Slack by the key in its metadata and records it, without posting it again (jobs/delivery-reconcile.ts); one
    // whose post had not arrived goes exactly once. The kill came with posts in flight, so there are some of the first.
    const takenUnrecorded = new Set(byStatus("sending").filter((m) => posted.has(m.key)).map((m) => m.key));
    expect(posted.size).toBeGreaterThan(0);
    expect(takenUnrecorded.size).toBeGreaterThan(0);
    report(
      `SIGKILL: ${stepsAtKill} of ${ACTIONS * 3} steps taken; messages ${byStatus("sent").length} sent, ${byStatus("sending").length} sending ` +
        `(${takenUnrecorded.size} of them at Slack), ${byStatus("pending").length} pending`,
    );

    // Rows left in `sending` are taken back once their claim is older than STALE_SENDING_MS (5 minutes), which is for
    // sends cut short by a crash: age the claims by that much rather than wait. (Slack's messages are newer than the
    // aged claims, so they are still in the stretch of history looked at: from a minute before the claim.)
    await database.db
      .updateTable("delivery")
      .set({ claimed_at: new Date(Date.now() - STALE_SENDING_MS - 1_000) })
      .where("status", "=", "sending")
      .execute();

    // The worker role started again, on the same Postgres and Redis (in this process: it starts in a moment).
    const restarted = Date.now();
    await startWorkerHere(w, test);
    // The dead worker's delivery jobs hold their ids in BullMQ's active list until the stalled-job check frees them
    // (marked on one check, moved on the next, 30 s apart).
    await allEscalated(w, 90_000);
    report(`SIGKILL: all steps posted ${Date.now() - restarted} ms after the worker role was started again`);
    await settled(w);

    await expectEachStepOnce(w);
    const twice = [...postsByMessage(fake)].filter(([, calls]) => calls.length > 1).map(([key]) => key);
    report(`SIGKILL: posted twice ${twice.length}; ${takenUnrecorded.size} taken by Slack but not recorded when the worker died, found there`);
    expect(twice).toEqual([]);
    // Those are recorded as the very messages Slack had taken.
    const landed = await database.db
      .selectFrom("delivery")
      .select(["dedupe_key", "message_id", "uncertain_since"])
      .where("dedupe_key", "in", [...takenUnrecorded])
      .execute();
    for (const row of landed) {
      expect(row.message_id, row.dedupe_key).toBe(fake.messages.find((m) => m.metadata?.event_payload.key === row.dedupe_key)?.ts);
      expect(row.uncertain_since, row.dedupe_key).toBeNull();
    }
    expect(landed).toHaveLength(takenUnrecorded.size);
  });
});
