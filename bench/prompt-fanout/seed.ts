import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createPromptQueue } from "../../jobs/prompt-queue.ts";
import { settingsOf, type Config } from "../../src/config.ts";
import { emptyDraft } from "../../src/domain/incident.ts";
import { planPrompts } from "../../src/features/reflections/plan.ts";
import { insertIncidents } from "../../src/store/incidents.ts";
import { openDatabase } from "../../src/store/database.ts";
import { personKey, workspaceKey } from "../../src/store/keys.ts";
import { ensureWorkspace, takeIncidentNumbers } from "../../src/store/workspaces.ts";
import { BARE_QUEUE, type BareJobData } from "./shared.ts";

/**
 * What each scenario starts from. For Debrief: people, incidents and their prompts in its database, planned by the
 * feature's own planPrompts, and queued by its own prompt queue, as logging an incident does (src/usecases/
 * log-incident.ts: planPrompts in the transaction, then prompts.schedule once it commits). For the baseline: the same
 * number of BullMQ delayed jobs, due at the same offsets from the scenario's start.
 */

export const TEAM = "T0001";
const WORKSPACE = workspaceKey("slack", TEAM);

/** The people's Slack user ids: U followed by a number, as Slack's are letters and digits. */
export const userIdOf = (n: number): string => `U${String(n).padStart(7, "0")}`;

// As prompt-queue.ts queues them, and small enough that one transaction does not hold Postgres for long.
const BATCH = 500;

export interface SeedPlan {
  /** Prompts (one per person). */
  count: number;
  /** People per incident: the reporter and those involved; each gets one prompt. */
  peoplePerIncident: number;
  /** When incident k counts as logged (planPrompts' `from`); its prompts are due one REFLECTION_SCHEDULE offset later. */
  loggedAt(k: number): Date;
}

export interface Seeded {
  /** Each person's prompt's due time, epoch ms, by Slack user id: what the fake Slack's deliveries are matched to. */
  dueByUser: Map<string, number>;
  incidents: number;
  /** When setup began and ended, epoch ms. */
  startedAt: number;
  endedAt: number;
}

/**
 * People, incidents and prompts in Debrief's database (migrated by the worker, which starts first), through planPrompts;
 * then their jobs, through createPromptQueue.
 */
export async function seedDebrief(config: Config, plan: SeedPlan): Promise<Seeded> {
  const startedAt = Date.now();
  const db = await openDatabase({ url: config.databaseUrl, dataDir: "" });
  const redis = new Redis(config.redisUrl!, { maxRetriesPerRequest: null });
  const prompts = createPromptQueue({ db, connection: redis, prefix: config.redisPrefix });
  const settings = settingsOf(config);
  try {
    await ensureWorkspace(db, WORKSPACE, "slack");
    const people = Array.from({ length: plan.count }, (_, n) => {
      const ref = { platform: "slack" as const, workspaceId: TEAM, userId: userIdOf(n) };
      return { id: personKey(ref), ref, displayName: `Person ${n}`, timeZone: null, managerId: null, teamId: null };
    });
    for (let i = 0; i < people.length; i += BATCH) {
      await db
        .insertInto("person")
        .values(people.slice(i, i + BATCH).map((p) => ({ id: p.id, workspace_id: WORKSPACE, user_id: p.ref.userId, display_name: p.displayName, time_zone: null })))
        .execute();
    }

    const groups: (typeof people)[] = [];
    for (let i = 0; i < people.length; i += plan.peoplePerIncident) groups.push(people.slice(i, i + plan.peoplePerIncident));
    const incidentsPerBatch = Math.max(1, Math.floor(BATCH / plan.peoplePerIncident));
    for (let g = 0; g < groups.length; g += incidentsPerBatch) {
      const batch = groups.slice(g, g + incidentsPerBatch);
      const ids = await db.transaction().execute(async (tx) => {
        const first = await takeIncidentNumbers(tx, WORKSPACE, batch.length);
        const incidents = await insertIncidents(
          tx,
          batch.map(([reporter, ...involved], i) => ({
            workspaceId: WORKSPACE,
            number: first + i,
            teamId: null,
            reporterId: reporter!.id,
            sourceChannelId: null,
            requestId: null,
            draft: { ...emptyDraft(), category: "medication", physicalHarm: "low", summary: `Bench incident ${g + i}`, involved: involved.map((p) => p.id) },
            restricted: false,
            occurredAt: plan.loggedAt(g + i),
          })),
        );
        const planned: string[] = [];
        for (const [i, incident] of incidents.entries()) {
          planned.push(...(await planPrompts(tx, settings, incident, undefined, batch[i]!, plan.loggedAt(g + i))));
        }
        return planned;
      });
      await prompts.schedule(ids);
    }

    const rows = await db
      .selectFrom("reflection_prompt")
      .innerJoin("person", "person.id", "reflection_prompt.person_id")
      .select(["person.user_id", "reflection_prompt.due_at"])
      .execute();
    return { dueByUser: new Map(rows.map((r) => [r.user_id, r.due_at.getTime()])), incidents: groups.length, startedAt, endedAt: Date.now() };
  } finally {
    await prompts.close();
    redis.disconnect();
    await db.destroy();
  }
}

/** The baseline's jobs: one delayed job per prompt, due when the prompt would be, added as prompt-queue.ts adds its own. */
export async function seedBare(place: { redisUrl: string; prefix: string }, dues: readonly number[]): Promise<{ startedAt: number; endedAt: number }> {
  const startedAt = Date.now();
  const connection = new Redis(place.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<BareJobData>(BARE_QUEUE, {
    connection,
    prefix: place.prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 3600 } },
  });
  try {
    for (let i = 0; i < dues.length; i += BATCH) {
      const now = Date.now();
      await queue.addBulk(
        dues.slice(i, i + BATCH).map((due, j) => ({
          name: "bare",
          data: { n: i + j, due },
          // `timestamp` with `delay`: BullMQ holds a job until timestamp + delay, so this is the due time exactly.
          opts: { jobId: `bare-${i + j}`, delay: Math.max(0, due - now), timestamp: now },
        })),
      );
    }
    return { startedAt, endedAt: Date.now() };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
