import type { Logger } from "pino";
import type { Settings } from "../../config.ts";
import { intoWorkingHours } from "../../domain/prompt-time.ts";
import { recordDeliveries, type DeliveryScheduler } from "../../delivery/outbox.ts";
import type { Db } from "../../store/database.ts";
import { findPerson } from "../../store/people.ts";
import { findTeam } from "../../store/teams.ts";
import type { PromptScheduler } from "../../usecases/deps.ts";
import { queuePromptsQuietly, scheduleQuietly } from "../../usecases/schedule.ts";
import { incidentsOf, promptLines, stillInvolved } from "./lines.ts";
import { clockFor } from "./plan.ts";
import { teamSettings } from "../../usecases/team-settings.ts";
import {
  finishPrompt,
  findPrompt,
  livePromptsDueBy,
  lockLastPrompted,
  markPromptSent,
  movePrompt,
  setLastPrompted,
  type Prompt,
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
 * A prompt's job: its time has come, so send it, remind it, or let it expire. Several of the person's prompts that fall
 * due within PROMPT_MIN_GAP go together in one direct message, and nobody is sent two within that gap: the person's
 * row is locked, so two workers never prompt one person at once. The prompts' next steps and the message are written
 * in one transaction, so a job run twice (a crash, a Redis flush and reconcile) finds the prompt moved on and sends
 * nothing more.
 */
export async function advancePrompt(deps: PromptingDeps, promptId: string): Promise<Advanced> {
  const glance = await findPrompt(deps.db, promptId);
  if (!glance || glance.nextAt === null) return { kind: "nothing" };
  const now = deps.now();
  if (glance.nextAt > now) return { kind: "early", nextAt: glance.nextAt };

  const { advanced, deliveryIds, touched } = await deps.db.transaction().execute(async (tx) => {
    const last = await lockLastPrompted(tx, glance.personId);
    const prompt = await findPrompt(tx, promptId, { forUpdate: true });
    const person = await findPerson(tx, glance.personId);
    if (!prompt || prompt.nextAt === null || !person) return done({ kind: "nothing" });
    if (prompt.nextAt > now) return done({ kind: "early", nextAt: prompt.nextAt });

    const incidents = await incidentsOf(tx, [prompt]);
    const incident = incidents.get(prompt.incidentId);
    const team = incident?.teamId ? await findTeam(tx, incident.teamId) : undefined;
    const settings = teamSettings(deps.config, team);
    const clock = clockFor(person, settings);
    const gapMs = settings.promptMinGap.toMillis();

    if (last && now.getTime() < last.getTime() + gapMs) {
      const nextAt = intoWorkingHours(new Date(last.getTime() + gapMs), clock);
      await movePrompt(tx, prompt.id, nextAt);
      return done({ kind: "moved", nextAt }, [], [prompt.id]);
    }

    // Everything of theirs due before the gap would let another message through goes now, in this one.
    const due = await livePromptsDueBy(tx, person.id, new Date(now.getTime() + gapMs));
    // Most often the one prompt already read: only other incidents are read again.
    const others = due.filter((p) => !incidents.has(p.incidentId));
    if (others.length > 0) for (const [id, other] of await incidentsOf(tx, others)) incidents.set(id, other);
    const send: Prompt[] = [];
    for (const p of due) {
      const about = incidents.get(p.incidentId);
      // Taken off the incident since it was planned: nothing more is asked of them.
      if (!about || !stillInvolved(about, p.personId)) {
        await finishPrompt(tx, p.id, "withdrawn", now);
      } else if (p.status === "sent" && !p.snoozed && p.reminders >= MAX_REMINDERS) {
        if (p.nextAt! <= now) await finishPrompt(tx, p.id, "expired", now);
      } else {
        send.push(p);
      }
    }
    // Those due a little later ride along only with one due now: on their own they wait for their time.
    if (!send.some((p) => p.nextAt! <= now)) return done({ kind: "nothing" });

    const messageKey = `prompt-${send[0]!.id}-${send[0]!.nextAt!.getTime()}`;
    const nextAt = intoWorkingHours(new Date(now.getTime() + settings.reflectionReminder.toMillis()), clock);
    const carried: Prompt[] = [];
    for (const p of send) {
      const reminded = p.status === "sent" && !p.snoozed;
      await markPromptSent(tx, p.id, { messageKey, at: now, nextAt, reminded });
      // As the row now reads, without reading it back.
      carried.push({ ...p, status: "sent", messageKey, nextAt, snoozed: false, reminders: p.reminders + (reminded ? 1 : 0), sentAt: p.sentAt ?? now });
    }
    await setLastPrompted(tx, person.id, now);
    // In the order the message is said again in when one is answered (promptsCarriedBy: by id).
    carried.sort((a, b) => Number(a.id) - Number(b.id));
    const lines = await promptLines(tx, carried, incidents);
    const ids = await recordDeliveries(tx, [{ dedupeKey: messageKey, target: { kind: "person", person: person.ref }, view: promptMessage(lines) }]);
    const promptIds = send.map((p) => p.id);
    return done({ kind: "sent", promptIds, deliveryId: ids[0] }, ids, promptIds);
  });

  await scheduleQuietly(deps, deliveryIds);
  // Each prompt moved on has a new time, so a new job; the one running now ends.
  await queuePromptsQuietly(deps, touched);
  return advanced;
}

const done = (advanced: Advanced, deliveryIds: string[] = [], touched: string[] = []) => ({ advanced, deliveryIds, touched });
