import type { Logger } from "pino";
import type { Settings } from "../../config.ts";
import type { Action } from "../../domain/action.ts";
import { zoneFor } from "../../domain/prompt-time.ts";
import { recordDeliveries, type DeliveryRequest, type DeliveryScheduler } from "../../delivery/outbox.ts";
import type { PeriodicJob } from "../../periodic-job.ts";
import { advanceActions, claimDueActions, type NextStage } from "../../store/actions.ts";
import type { Db, DbOrTx } from "../../store/database.ts";
import { channelBeside } from "../../store/keys.ts";
import { findPerson, type Person } from "../../store/people.ts";
import type { Team } from "../../store/teams.ts";
import { personName } from "../../usecases/people.ts";
import { scheduleQuietly } from "../../usecases/schedule.ts";
import { ladderContext, stageAfter, type LadderIncident } from "./ladder.ts";
import { insertSteps, leadAlreadyTold, type NewStep, type StepPlace, type StepTarget } from "./store.ts";
import { channelStepView, ownerStepView, restrictedTitlesView, type EscalatedLine } from "./views.ts";

// Actions taken per transaction: enough to group a manager's overdue work into one message, small enough that locks
// are held briefly. A sweep takes batches until nothing due is left.
const BATCH = 500;

export interface SweepDeps {
  db: Db;
  deliveries: DeliveryScheduler;
  config: Settings;
  log: Logger;
}

export interface Swept {
  /** Steps taken (each sent once, in some message). */
  steps: number;
  /** Messages recorded for them. */
  messages: number;
}

/** One step the sweep is about to take: for which action, to whom, and where. */
interface Planned {
  action: Action;
  owner: Person;
  stage: number;
  stepAt: Date;
  target: StepTarget;
  recipient: Person | undefined;
  place: StepPlace;
  team: Team | undefined;
  restricted: boolean;
  noManager: boolean;
  zone: string;
}

/**
 * The escalation sweep (DESIGN.md, "Truth and time"): takes every open action whose next step is due, by the index,
 * with FOR UPDATE SKIP LOCKED so several workers sweep together and each step is taken once. Each step is recorded as a
 * row and the action moved on to its next stage in the same transaction as the messages that carry them, so a sweep
 * cut short sends nothing and a sweep run twice sends nothing twice. All steps for one recipient in one place in one
 * batch become one message.
 */
export async function sweepOverdue(deps: SweepDeps): Promise<Swept> {
  const total: Swept = { steps: 0, messages: 0 };
  for (;;) {
    const { taken, steps, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
      const due = await claimDueActions(tx, BATCH);
      const read = reader(tx, deps.config);
      const planned: Planned[] = [];
      const moves: { id: number; next: NextStage | null }[] = [];
      for (const action of due) {
        const plan = await planStep(tx, read, action, moves);
        if (plan) planned.push(plan);
      }
      await advanceActions(tx, moves);
      const { steps, requests } = await record(tx, planned);
      return { taken: due.length, steps, deliveryIds: await recordDeliveries(tx, requests) };
    });
    await scheduleQuietly(deps, deliveryIds);
    total.steps += steps;
    total.messages += deliveryIds.length;
    if (taken < BATCH) return total;
  }
}

/** Reads a batch needs, each once: the overdue work of one team shares its incidents, people and ladder. */
function reader(tx: DbOrTx, config: Settings) {
  const once = <V>(load: (key: string) => Promise<V>) => {
    const seen = new Map<string, Promise<V>>();
    return (key: string | number): Promise<V> => {
      let found = seen.get(String(key));
      if (!found) seen.set(String(key), (found = load(String(key))));
      return found;
    };
  };
  // Only what the ladder needs: not the incident's people, which a sweep never reads.
  const incident = once((id) =>
    tx.selectFrom("incident").select(["id", "team_id as teamId", "restricted"]).where("id", "=", Number(id)).executeTakeFirst(),
  );
  const person = once((id) => findPerson(tx, id));
  const contexts = new Map<string, ReturnType<typeof ladderContext>>();
  const context = (about: LadderIncident, owner: Person) => {
    const key = `${about.teamId}|${about.restricted}|${owner.timeZone}`;
    let found = contexts.get(key);
    if (!found) contexts.set(key, (found = ladderContext(tx, config, about, owner)));
    return found;
  };
  return { incident, person, context };
}

type Reader = ReturnType<typeof reader>;

/** Decides whom an action's due stage goes to, and moves the action on to the stage after it. */
async function planStep(
  tx: DbOrTx,
  read: Reader,
  due: Action & { stage: number; stepAt: Date },
  moves: { id: number; next: NextStage | null }[],
): Promise<Planned | undefined> {
  const { stage, stepAt, ...action } = due;
  const incident = await read.incident(action.incidentId);
  const owner = await read.person(action.ownerId);
  if (!owner || !incident) return undefined;
  const context = await read.context(incident, owner);
  moves.push({ id: action.id, next: stageAfter(context, action.dueAt, stage) });

  const rung = stage === 0 ? "reminder" : context.ladder[stage - 1]?.target;
  // The ladder was shortened since this stage was planned: nothing to send for it.
  if (!rung) return undefined;
  const { team } = context;
  const lead = team?.leadId ? await read.person(team.leadId) : undefined;
  const base = { action, owner, stage, stepAt, team, restricted: incident.restricted };
  if (rung === "reminder" || rung === "owner") {
    return { ...base, target: rung, recipient: owner, place: "person", noManager: false, zone: zoneFor(owner.timeZone, context.clocks.owner.zone) };
  }
  // The manager's step already went to the lead (no manager set): the lead's own step would only say it again.
  if (rung === "lead" && lead && (await leadAlreadyTold(tx, action.id, action.dueAt, lead.id))) return undefined;
  const manager = rung === "manager" && owner.managerId ? await read.person(owner.managerId) : undefined;
  // No manager set: the step goes to the lead, saying how to set one.
  const recipient = manager ?? lead;
  const noManager = rung === "manager" && !manager;
  if (team) return { ...base, target: rung, recipient, place: "channel", noManager, zone: context.clocks.team.zone };
  // An incident with no team has no channel: the step goes by direct message, if there is anyone to send it to.
  if (!recipient) return undefined;
  return { ...base, target: rung, recipient, place: "person", noManager, zone: zoneFor(recipient.timeZone, context.clocks.team.zone) };
}

/** Groups the planned steps by recipient and place, records one row per step and one message per group. */
async function record(tx: DbOrTx, planned: readonly Planned[]): Promise<{ steps: number; requests: DeliveryRequest[] }> {
  const groups = new Map<string, Planned[]>();
  // Each message lists its actions longest overdue first, then by reference: not in the order the index gave them,
  // which is arbitrary among actions due at the same moment (as every action due "by friday" is).
  const ordered = [...planned].sort((a, b) => a.action.dueAt.getTime() - b.action.dueAt.getTime() || a.action.id - b.action.id);
  for (const p of ordered) {
    const key = `${p.place}:${p.place === "channel" ? p.team!.channelId : ""}:${p.recipient?.id ?? "nobody"}:${p.target === "reminder" ? "reminder" : "step"}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const requests: DeliveryRequest[] = [];
  let steps = 0;
  for (const group of groups.values()) {
    const first = group[0]!;
    // Named by its first step, so the message and its steps find each other; unique because steps are.
    const messageKey = `escalation-${first.action.id}-${first.stage}-${first.action.dueAt.getTime()}`;
    const rows: NewStep[] = group.map((p) => ({
      actionId: p.action.id,
      stage: p.stage,
      target: p.target,
      recipientId: p.recipient?.id ?? null,
      noManager: p.noManager,
      place: p.place,
      actionDueAt: p.action.dueAt,
      dueAt: p.stepAt,
      messageKey,
    }));
    const fresh = await insertSteps(tx, rows);
    const taken = group.filter((p) => fresh.has(p.action.id));
    if (taken.length === 0) continue;
    steps += taken.length;
    requests.push(...messagesFor(taken, messageKey));
  }
  return { steps, requests };
}

function messagesFor(group: readonly Planned[], messageKey: string): DeliveryRequest[] {
  const first = group[0]!;
  const now = new Date();
  const lines: EscalatedLine[] = group.map((p) => ({ action: p.action, owner: personName(p.owner), restricted: p.restricted, outcome: null, noManager: p.noManager }));
  if (first.place === "person") {
    const view =
      first.target === "reminder" || first.target === "owner"
        ? ownerStepView(lines, first.target === "reminder", messageKey, first.zone, now)
        : // A manager or lead without a team channel: told directly, titles and all, since only they see it.
          channelStepView(personName(first.recipient!), first.target, lines.map((l) => ({ ...l, restricted: false })), messageKey, first.zone, now);
    return [{ dedupeKey: messageKey, target: { kind: "person", person: first.recipient!.ref }, view }];
  }
  const channel = channelBeside(first.owner.ref, first.team!.channelId);
  const target = first.target === "lead" ? "lead" : "manager";
  const requests: DeliveryRequest[] = [
    { dedupeKey: messageKey, target: { kind: "channel", channel }, view: channelStepView(first.recipient ? personName(first.recipient) : null, target, lines, messageKey, first.zone, now) },
  ];
  const hidden = lines.filter((l) => l.restricted);
  if (hidden.length > 0 && first.recipient) {
    requests.push({
      dedupeKey: `${messageKey}-titles`,
      target: { kind: "person", person: first.recipient.ref },
      view: restrictedTitlesView(hidden, first.team!.name, zoneFor(first.recipient.timeZone, first.zone), now),
    });
  }
  return requests;
}

/** The sweep as a periodic job, every SWEEP_EVERY, on any one worker at a time (several may run it safely). */
export const escalationSweepJob = (deps: SweepDeps): PeriodicJob => ({
  name: "escalation-sweep",
  every: (settings) => settings.sweepEvery,
  run: async () => {
    const swept = await sweepOverdue(deps);
    if (swept.steps > 0) deps.log.info(swept, "escalation sweep");
  },
});
