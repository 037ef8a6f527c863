import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Child } from "./ipc.ts";
import { machine, revision, waitForQuiet } from "./machine.ts";
import type { Bench, Measured } from "./measure.ts";
import { SlackObserver } from "./observer.ts";
import { cannotPin, pinAlone } from "./pinning.ts";
import { announcementCheck, conclusions, table, tierConclusions, tierTable, tierVerdict, verdict, TARGETS, type TierResult } from "./report.ts";
import { provision, type Resources } from "./resources.ts";
import { writeResults } from "./results-file.ts";
import { benchAckTier, benchTarget, pause, PLAN, QUICK } from "./schedule.ts";
import { KEPT_UP, NOISY_OTHER_SHARE, summarize, SUSTAINED } from "./stats.ts";
import { startBareBolt, startDebrief, startFakeSlack, startLoadGenerator, startPostgresPeer, startRedisPeer, type RunFiles, type Target } from "./targets.ts";
import { TEAM_CHANNELS } from "./workload.ts";

/**
 * `npm run bench`: Debrief and a bare Bolt app, each in its own process, driven in turn by an open-loop load
 * generator in a third, with a fake Slack in a fourth; then the acknowledging tier, where Debrief's web process is
 * compared with Bolt apps that store the command in Redis or Postgres before they acknowledge. See bench/README.md
 * for what is measured and why.
 */

const children: Child<unknown>[] = [];
const resources: Resources[] = [];
let interrupted = false;

/** Stops every child (they release their connections), then removes the database and Redis keys. */
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    // Last started, first stopped: the servers finish their in-flight sends before the fake Slack goes.
    for (const child of [...children].reverse()) await child.stop().catch(() => undefined);
    for (const r of resources) await r.release().catch((err: unknown) => console.error(`could not remove the bench's database or keys: ${String(err)}`));
  })();
  return cleaning;
}

function onSignal(signal: string): void {
  if (interrupted) return;
  interrupted = true;
  console.log(`\n${signal}: stopping every process and cleaning up…`);
  void cleanUp().finally(() => process.exit(130));
}
process.on("SIGINT", () => onSignal("SIGINT"));
process.on("SIGTERM", () => onSignal("SIGTERM"));

/** Makes each channel a team space, so every quick log is announced; fails loudly if any setup did not take. */
async function setUpTeams(bench: Bench, debrief: Target): Promise<void> {
  const statuses = await bench.load.call<number[]>("setupTeams", { url: debrief.endpoint, responseUrlPrefix: bench.slack.responseUrlPrefix });
  await bench.observer.waitUntil(() => bench.observer.repliesFor("setup").length >= TEAM_CHANNELS, { quietMs: 5000, timeoutMs: 30_000 });
  const ok = bench.observer.repliesFor("setup").filter((r) => r.ok).length;
  if (statuses.some((s) => s !== 200) || ok !== TEAM_CHANNELS) {
    throw new Error(`setting up ${TEAM_CHANNELS} team channels failed: ${ok} confirmed; replies ${JSON.stringify(bench.observer.otherReplies)}`);
  }
  console.log(`Debrief: ${TEAM_CHANNELS} team channels set up with /debrief setup`);
}

/**
 * After Debrief's fixed phase: waits for its announcements (paced per channel) before stepping up, then summarises
 * the phase again, since replies that came later than the phase's own wait are in by now too.
 */
function awaitAnnouncements(bench: Bench) {
  return async (fixed: Measured): Promise<void> => {
    const tag = fixed.record.spec.tag;
    const acked = fixed.record.status.filter((s) => s === 200).length;
    const observer = bench.observer;
    // Done when every acknowledged request has its reply and every "Logged" one its announcement.
    const allIn = () =>
      observer.repliesFor(tag).length >= acked && observer.announcementsFor(tag).length >= observer.repliesFor(tag).filter((r) => r.ok).length;
    await observer.waitUntil(allIn, { quietMs: 10_000, timeoutMs: 120_000 });
    const before = fixed.summary;
    fixed.summary = summarize({
      target: before.target,
      kind: before.kind,
      record: fixed.record,
      replies: observer.repliesFor(tag),
      announcements: observer.announcementsFor(tag),
      serverCpuMs: before.cpu.serverMsPerRequest * before.requests,
      ackCpuMs: before.cpu.ackMsPerCommand * Math.max(1, before.answered200),
      machine: before.cpu.machine,
    });
    const late = observer.repliesFor(tag).length - (before.reply ? before.reply.ok + before.reply.notOk : 0);
    if (late > 0) console.log(`  ${late} replies came after the phase's summary; counted now`);
    console.log(`  ${announcementCheck(fixed.summary).text}`);
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const resultsDir = new URL("../results/", import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const files: RunFiles = {
    prefix: new URL(startedAt.toISOString().replace(/[:.]/g, "-"), resultsDir).pathname,
    profile: process.env.BENCH_PROFILE === "1",
    // As deployed for load: a web process that acknowledges and a worker that does the work. BENCH_ONE_PROCESS=1
    // measures `npm start`'s single process instead.
    splitRoles: process.env.BENCH_ONE_PROCESS !== "1",
  };
  const about = { ...machine(), debrief: revision() };
  console.log(`ack-latency bench: Debrief ${about.debrief}; ${about.cpus} CPUs (${about.cpuModel}), Node ${about.node}${QUICK ? "; QUICK run" : ""}`);
  console.log(`logs: ${files.prefix}-*.log`);
  const atStart = await waitForQuiet(30_000);
  if (atStart && atStart.other > NOISY_OTHER_SHARE) {
    console.log(`warning: other work is using ${(atStart.other * 100).toFixed(0)}% of the machine; figures will be noisy`);
  }

  // One secret, used by the generator to sign and by both servers to verify, as Slack and an app share one.
  const signingSecret = randomBytes(16).toString("hex");
  const debriefResources = await provision();
  resources.push(debriefResources);
  // The peers' own database and Redis prefix, apart from Debrief's.
  const peerResources = await provision();
  resources.push(peerResources);
  const fake = await startFakeSlack(files);
  children.push(fake);
  const load = await startLoadGenerator(files, signingSecret);
  children.push(load);
  const bare = await startBareBolt(files, fake.info, signingSecret);
  children.push(bare.server);
  const debrief = await startDebrief(files, fake.info, signingSecret, debriefResources);
  children.push(debrief.server, ...debrief.helpers);
  const redisPeer = await startRedisPeer(files, fake.info, signingSecret, peerResources);
  children.push(redisPeer.server);
  const postgresPeer = await startPostgresPeer(files, fake.info, signingSecret, peerResources);
  children.push(postgresPeer.server);
  console.log(files.splitRoles ? "Debrief runs as two processes: --role web and --role worker" : "Debrief runs as one process (--role all)");
  const bench: Bench = { profileDir: `${files.prefix}-profile`, load, slack: fake.info, observer: new SlackObserver(fake) };
  if (files.profile) mkdirSync(bench.profileDir, { recursive: true });

  await setUpTeams(bench, debrief);
  const raw: Measured[] = [];
  // One target at a time, the other idle, so neither takes CPU from the other's measurement.
  const bareResult = await benchTarget(bench, bare, raw);
  await pause(PLAN.pauseMs);
  const debriefResult = await benchTarget(bench, debrief, raw, awaitAnnouncements(bench));

  // The acknowledging tier: each process that acknowledges, at 200/s, as it runs and then on a core of its own.
  const noPinning = cannotPin();
  if (noPinning) console.log(`not pinning (${noPinning}): the tier is measured unpinned only`);
  // Everything of the bench's but the process measured (the parent too) goes on the other core.
  const pin = (target: Target) => pinAlone(target.server.pid, [process.pid, ...children.filter((c) => c !== target.server).map((c) => c.pid)]);
  const tier: TierResult[] = [];
  for (const target of [bare, redisPeer, postgresPeer, debrief]) {
    await pause(PLAN.pauseMs);
    // bare Bolt and Debrief have just been through their schedules; the peers are warmed up as they were.
    tier.push(await benchAckTier(bench, target, raw, { warmUp: target === redisPeer || target === postgresPeer, pin: noPinning ? null : pin }));
  }
  await bench.observer.poll();

  const v = verdict(bareResult, debriefResult);
  const announced = announcementCheck(debriefResult.fixed);
  console.log(`\n${table([bareResult, debriefResult])}\n`);
  console.log(conclusions(bareResult, debriefResult, v));
  console.log(announced.text);
  const tv = tierVerdict(tier);
  console.log(`\nThe acknowledging tier at ${PLAN.tier.ratePerSecond}/s, ${PLAN.tier.durationMs / 1000} s a window:\n${tierTable(tier)}\n`);
  console.log(tierConclusions(tier, tv));
  if (bench.observer.unmatchedAnnouncements > 0) console.log(`Channel posts that named no request: ${bench.observer.unmatchedAnnouncements}`);
  if (Object.keys(bench.observer.otherReplies).length > 0) console.log(`Replies other than "Logged INC-n": ${JSON.stringify(bench.observer.otherReplies)}`);

  const json = `${files.prefix}.json`;
  writeResults(json, {
    summary: {
      startedAt: startedAt.toISOString(),
      machine: { ...about, cpuBeforeStart: atStart },
      plan: PLAN,
      debriefProcesses: files.splitRoles ? "web + worker" : "one (web and worker roles)",
      teamChannels: TEAM_CHANNELS,
      sustainedMeans: SUSTAINED,
      keptUpMeans: KEPT_UP,
      targets: TARGETS,
      verdict: { ...v, announcementsOk: announced.ok, ackTier: tv },
      results: { bareBolt: bareResult, debrief: debriefResult, ackTier: tier },
    },
    raw,
    observer: bench.observer,
  });
  console.log(`\nraw results: ${json}`);
  if (files.profile) console.log(`CPU profiles of every server, one per phase: ${bench.profileDir}/ (see profile-summary.ts)`);
}

try {
  await main();
} catch (err) {
  if (!interrupted) {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanUp();
}
