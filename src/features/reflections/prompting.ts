import type { Logger } from "pino";
import type { Settings } from "../../config.ts";
import type { Incident } from "../../domain/incident.ts";
import { intoWorkingHours, type PromptClock } from "../../domain/prompt-time.ts";
import { recordDeliveries, type DeliveryRequest, type DeliveryScheduler } from "../../delivery/outbox.ts";
import type { Db, DbOrTx } from "../../store/database.ts";
import { findPeople, type Person } from "../../store/people.ts";
import { findTeams } from "../../store/teams.ts";
import type { PromptScheduler } from "../../usecases/deps.ts";
import { queuePromptsQuietly, scheduleQuietly } from "../../usecases/schedule.ts";
import { incidentsOf, promptLines, stillInvolved } from "./lines.ts";
import { clockFor } from "./plan.ts";
import { teamSettings } from "../../usecases/team-settings.ts";
import {
  finishPrompt,
  findPrompt,
  livePromptsOf,
  lockLastPrompted,
  lockOthersWithPromptsDue,
  markPromptsSent,
  movePrompt,
  setLastPrompted,
  type Prompt,
  type PromptSent,
} from "./store.ts";
import { promptMessage } from "./views.ts";

/** An unanswered prompt is reminded at most this often, then expires (DESIGN.md, REFLECTION_REMINDER). */
export const MAX_REMINDERS = 2;

/** What the prompt job needs: the store, both queues, the settings, a clock. */
export interface PromptingDeps {
  db: Db;
  deliveries: DeliveryScheduler;
  prompts: PromptScheduler;
  config: Settings;
  log: Logger;
  now: () => Date;
}

/** What one run of a prompt's job did; `early` when its time has not come (the job was let out before it). */
export type Advanced =
  | { kind: "nothing" }
  | { kind: "early"; nextAt: Date }
  | { kind: "moved"; nextAt: Date }
  | { kind: "sent"; promptIds: string[]; deliveryId: string | undefined };

/**
 * A prompt's job as it was queued: the prompt and the time it was due then. A run that moves other prompts on (their
 * people's due prompts settled with its own) names their jobs, which would only find their rows moved on, so the
 * queue can drop them instead of running them.
 */
export interface OldJob {
  promptId: string;
  at: Date;
}

/** What a run did for its own prompt, and the jobs of the other prompts it moved on. */
export type Run = Advanced & { oldJobs: readonly OldJob[] };

/**
 * How many other people with prompts due one run takes on besides its own prompt's person. Prompts fall due in
 * bursts (a morning's start of working hours, a busy day's incidents a day later); taking the burst in a few
 * transactions instead of one each is what lets the worker keep up with it (bench/prompt-fanout).
 */
const OTHERS_PER_RUN = 50;

/**
 * A prompt's job: its time has come, so send it, remind it, or let it expire. Several of the person's prompts that fall
 * due within PROMPT_MIN_GAP go together in one direct message, and nobody is sent two within that gap: the person's
 * row is locked, so two workers never prompt one person at once. The run also settles other people's due prompts that
 * no other run holds, and their jobs find them moved on. The prompts' next steps and the messages are written in one
 * transaction, so a job run twice (a crash, a Redis flush and reconcile) finds the prompt moved on and sends nothing
 * more.
 */
export async function advancePrompt(deps: PromptingDeps, promptId: string): Promise<Run> {
  const glance = await findPrompt(deps.db, promptId);
  if (!glance || glance.nextAt === null) return { kind: "nothing", oldJobs: [] };
  const now = deps.now();
  if (glance.nextAt > now) return { kind: "early", nextAt: glance.nextAt, oldJobs: [] };

  const { advanced, deliveryIds, touched, changed } = await deps.db.transaction().execute(async (tx) => {
    // This job's own person, waiting for them if another run holds them: the job is there to settle their prompt.
    const ownLast = await lockLastPrompted(tx, glance.personId);
    if (ownLast === undefined) return { advanced: { kind: "nothing" } as Advanced, deliveryIds: [], touched: [], changed: [] };
    const others = await lockOthersWithPromptsDue(tx, now, OTHERS_PER_RUN, glance.personId);
    const lastPrompted = new Map([[glance.personId, ownLast], ...others.map((o) => [o.id, o.lastPromptedAt] as const)]);
    const people = await findPeople(tx, [...lastPrompted.keys()]);
    const live = await livePromptsOf(tx, people.map((p) => p.id));

    // What each person's first due prompt is about decides their settings (their team's gap, hours and zone).
    const firstDue = new Map<string, Prompt>();
    for (const p of live) if (p.nextAt! <= now && !firstDue.has(p.personId)) firstDue.set(p.personId, p);
    const incidents = await incidentsOf(tx, [...firstDue.values()]);
    const teamIds = [...new Set([...incidents.values()].flatMap((i) => (i.teamId === null ? [] : [i.teamId])))];
    const teams = new Map((await findTeams(tx, teamIds)).map((t) => [t.id, t]));

    const plans: PersonPlan[] = [];
    for (const person of people) {
      const first = firstDue.get(person.id);
      if (!first) continue; // settled by another run since it was picked
      const teamId = incidents.get(first.incidentId)?.teamId;
      const settings = teamSettings(deps.config, teamId ? teams.get(teamId) : undefined);
      const gapMs = settings.promptMinGap.toMillis();
      const until = now.getTime() + gapMs;
      plans.push({
        person,
        last: lastPrompted.get(person.id) ?? null,
        clock: clockFor(person, settings),
        gapMs,
        reminderMs: settings.reflectionReminder.toMillis(),
        due: live.filter((p) => p.personId === person.id && p.nextAt!.getTime() <= until),
      });
    }
    // Prompts riding along with the first may be about other incidents: read those too, all at once.
    const unread = plans.flatMap((plan) => plan.due.filter((p) => !incidents.has(p.incidentId)));
    if (unread.length > 0) for (const [id, other] of await incidentsOf(tx, unread)) incidents.set(id, other);

    const outcomes = new Map<string, Outcome>();
    for (const plan of plans) outcomes.set(plan.person.id, await settlePerson(tx, plan, incidents, now));

    const sent = [...outcomes.values()].flatMap((o) => (o.kind === "sent" ? [o] : []));
    await markPromptsSent(tx, sent.flatMap((o) => o.marks), now);
    await setLastPrompted(tx, sent.map((o) => o.personId), now);
    const ids = await recordDeliveries(tx, sent.map((o) => o.message));
    // Each key is new (a prompt's id and the time it was due), so every message gets its row, in order.
    const deliveryOf = new Map(ids.length === sent.length ? sent.map((o, i) => [o.personId, ids[i]]) : []);

    const own = live.find((p) => p.id === promptId);
    const theirs = outcomes.get(glance.personId);
    let advanced: Advanced = { kind: "nothing" };
    if (own && own.nextAt! > now) advanced = { kind: "early", nextAt: own.nextAt! };
    else if (theirs?.kind === "moved") advanced = { kind: "moved", nextAt: theirs.nextAt };
    else if (theirs?.kind === "sent") advanced = { kind: "sent", promptIds: theirs.promptIds, deliveryId: deliveryOf.get(glance.personId) };
    const all = [...outcomes.values()];
    return { advanced, deliveryIds: ids, touched: all.flatMap((o) => o.touched), changed: all.flatMap((o) => o.changed) };
  });

  await scheduleQuietly(deps, deliveryIds);
  // Each prompt moved on has a new time, so a new job; the one running now ends.
  await queuePromptsQuietly(deps, touched);
  const oldJobs = changed.filter((p) => p.id !== promptId).map((p) => ({ promptId: p.id, at: p.nextAt! }));
  return { ...advanced, oldJobs };
}

/** One person's part of a run: who, their clock and gap, and their live prompts due before the gap is up. */
interface PersonPlan {
  person: Person;
  last: Date | null;
  clock: PromptClock;
  gapMs: number;
  reminderMs: number;
  due: Prompt[];
}

/**
 * `touched`: prompts with a new time, each needing its job. `changed`: prompts whose job for their old time is now
 * old (their time moved, or they ended), as they were; a prompt whose time came out the same keeps its job.
 */
type Outcome =
  | { kind: "nothing"; touched: string[]; changed: Prompt[] }
  | { kind: "moved"; nextAt: Date; touched: string[]; changed: Prompt[] }
  | { kind: "sent"; personId: string; promptIds: string[]; marks: PromptSent[]; message: DeliveryRequest; touched: string[]; changed: Prompt[] };

/** Sends, reminds, expires or holds back one person's due prompts; what is sent is written by the caller, in bulk. */
async function settlePerson(tx: DbOrTx, plan: PersonPlan, incidents: Map<number, Incident>, now: Date): Promise<Outcome> {
  const { person, last, clock, gapMs } = plan;
  const dueNow = plan.due.filter((p) => p.nextAt! <= now);
  if (last && now.getTime() < last.getTime() + gapMs) {
    // Prompted a moment ago: what is due now waits until the gap is up.
    const nextAt = intoWorkingHours(new Date(last.getTime() + gapMs), clock);
    for (const p of dueNow) await movePrompt(tx, p.id, nextAt);
    const changed = dueNow.filter((p) => p.nextAt!.getTime() !== nextAt.getTime());
    return { kind: "moved", nextAt, touched: dueNow.map((p) => p.id), changed };
  }

  // Everything of theirs due before the gap would let another message through goes now, in this one.
  const send: Prompt[] = [];
  const touched: string[] = [];
  const finished: Prompt[] = [];
  for (const p of plan.due) {
    const about = incidents.get(p.incidentId);
    // Taken off the incident since it was planned: nothing more is asked of them.
    if (!about || !stillInvolved(about, p.personId)) {
      await finishPrompt(tx, p.id, "withdrawn", now);
      finished.push(p);
    } else if (p.status === "sent" && !p.snoozed && p.reminders >= MAX_REMINDERS) {
      if (p.nextAt! <= now) {
        await finishPrompt(tx, p.id, "expired", now);
        finished.push(p);
      }
    } else {
      send.push(p);
    }
  }
  // Those due a little later ride along only with one due now: on their own they wait for their time.
  if (!send.some((p) => p.nextAt! <= now)) return { kind: "nothing", touched, changed: finished };

  const messageKey = `prompt-${send[0]!.id}-${send[0]!.nextAt!.getTime()}`;
  const nextAt = intoWorkingHours(new Date(now.getTime() + plan.reminderMs), clock);
  const marks: PromptSent[] = [];
  const carried: Prompt[] = [];
  for (const p of send) {
    const reminded = p.status === "sent" && !p.snoozed;
    marks.push({ id: p.id, messageKey, nextAt, reminded });
    // As the row will read, without reading it back.
    carried.push({ ...p, status: "sent", messageKey, nextAt, snoozed: false, reminders: p.reminders + (reminded ? 1 : 0), sentAt: p.sentAt ?? now });
  }
  // In the order the message is said again in when one is answered (promptsCarriedBy: by id).
  carried.sort((a, b) => Number(a.id) - Number(b.id));
  const lines = await promptLines(tx, carried, incidents);
  const promptIds = send.map((p) => p.id);
  return {
    kind: "sent",
    personId: person.id,
    promptIds,
    marks,
    message: { dedupeKey: messageKey, target: { kind: "person", person: person.ref }, view: promptMessage(lines) },
    touched: promptIds,
    changed: [...finished, ...send.filter((p) => p.nextAt!.getTime() !== nextAt.getTime())],
  };
}
