import { isRestricted } from "../domain/harm.ts";
import { candourAction } from "../features/escalation/candour.ts";
import { planPrompts } from "../features/reflections/plan.ts";
import type { Incident, IncidentDraft } from "../domain/incident.ts";
import { recordDeliveries, type DeliveryRequest } from "../delivery/outbox.ts";
import type { Interaction } from "../interaction.ts";
import { recordAudits } from "../store/audit.ts";
import type { Db, DbOrTx } from "../store/database.ts";
import { isStoreUnavailable } from "../store/unavailable.ts";
import { findIncidentByRequest, insertIncidents, isRepeatedRequest } from "../store/incidents.ts";
import { channelBeside, workspaceKey } from "../store/keys.ts";
import { findPerson, type Person } from "../store/people.ts";
import { findTeam, type Team } from "../store/teams.ts";
import { takeIncidentNumbers } from "../store/workspaces.ts";
import { announcement } from "./announcement.ts";
import type { CoreDeps } from "./deps.ts";
import { briefingFor } from "./lead-briefing.ts";
import { knownPerson, mentionedRef, personName } from "./people.ts";
import { queuePromptsQuietly, scheduleQuietly } from "./schedule.ts";
import { joinTeam, teamOf } from "./team-spaces.ts";

export interface LoggedIncident {
  incident: Incident;
  team: Team | undefined;
  /** Whether the lead was sent the details: null when the incident is not restricted. */
  leadTold: boolean | null;
}

/** One report, with everything looked up that its transaction needs. */
interface Report {
  interaction: Interaction;
  draft: Omit<IncidentDraft, "involved">;
  reporter: Person;
  involved: Person[];
  involvedUserIds: readonly string[];
  team: Team | undefined;
  lead: Person | undefined;
  restricted: boolean;
  occurredAt: Date;
}

/**
 * Logs an incident: takes the next reference, stores it, and records its announcement (and, when restricted, the
 * details for the lead) in the same transaction, so the messages exist exactly when the incident does.
 */
export async function logIncident(
  deps: CoreDeps,
  interaction: Interaction,
  draft: Omit<IncidentDraft, "involved">,
  involvedUserIds: readonly string[],
): Promise<LoggedIncident> {
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const reporter = await knownPerson(deps, interaction.actor);
  const involved = await Promise.all(involvedUserIds.map((id) => knownPerson(deps, mentionedRef(interaction.actor, id))));
  const team = await teamOf(deps.db, interaction, reporter);
  const restricted = isRestricted(draft);
  const lead = restricted && team?.leadId ? await findPerson(deps.db, team.leadId) : undefined;
  const report: Report = { interaction, draft, reporter, involved, involvedUserIds, team, lead, restricted, occurredAt: draft.occurredAt ?? deps.now() };
  try {
    // Group commit batches reports from separate transactions. Inside a request's transaction (src/requests/once.ts)
    // the report logs on its own: that transaction is one connection, and it commits with the rest of the request.
    return deps.db.isTransaction ? (await logTogether(deps, workspaceId, [report]))[0]! : await laneFor(deps, workspaceId).submit(report);
  } catch (err) {
    // Rare (a queued command run again after its first run committed), so the database's unique index finds it
    // rather than a lookup before every report.
    const earlier = isRepeatedRequest(err) && interaction.requestId ? await findIncidentByRequest(deps.db, workspaceId, interaction.requestId) : undefined;
    if (!earlier) throw err;
    return loggedBefore(deps, earlier);
  }
}

/**
 * A request run a second time gets the answer its first run would have given. Its messages were recorded with the
 * incident, so nothing is sent again; whether the lead was told is read from the team as it is now, which differs only
 * if the lead changed in the seconds between the two runs.
 */
async function loggedBefore(deps: CoreDeps, incident: Incident): Promise<LoggedIncident> {
  const team = incident.teamId === null ? undefined : await findTeam(deps.db, incident.teamId);
  return { incident, team, leadTold: incident.restricted ? Boolean(team?.leadId) : null };
}

// Group commit. References are gap-free because the workspace's counter row stays locked until its transaction
// commits, so one workspace logs one transaction at a time. Reports that arrive while one is committing wait and
// then go together in the next transaction, so a burst costs a few commits rather than one each.
const MAX_BATCH = 100;

interface Waiting {
  report: Report;
  resolve: (logged: LoggedIncident) => void;
  reject: (err: unknown) => void;
}

class WorkspaceLane {
  private queue: Waiting[] = [];
  private running = false;

  constructor(
    private readonly deps: CoreDeps,
    private readonly workspaceId: string,
  ) {}

  submit(report: Report): Promise<LoggedIncident> {
    return new Promise((resolve, reject) => {
      this.queue.push({ report, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          settle(batch, await logTogether(this.deps, this.workspaceId, batch.map((w) => w.report)));
        } catch (err) {
          // A database that is down fails them all alike, and each must hear so at once.
          if (batch.length === 1 || isStoreUnavailable(err)) for (const waiting of batch) waiting.reject(err);
          // Otherwise one bad report must not fail the others: try each on its own.
          else for (const waiting of batch) await logTogether(this.deps, this.workspaceId, [waiting.report]).then((r) => settle([waiting], r), waiting.reject);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

function settle(batch: readonly Waiting[], logged: readonly LoggedIncident[]): void {
  batch.forEach((waiting, i) => waiting.resolve(logged[i]!));
}

const lanes = new WeakMap<Db, Map<string, WorkspaceLane>>();

function laneFor(deps: CoreDeps, workspaceId: string): WorkspaceLane {
  let byWorkspace = lanes.get(deps.db);
  if (!byWorkspace) lanes.set(deps.db, (byWorkspace = new Map()));
  let lane = byWorkspace.get(workspaceId);
  if (!lane) byWorkspace.set(workspaceId, (lane = new WorkspaceLane(deps, workspaceId)));
  return lane;
}

/** Stores reports in one transaction, numbered in the order they arrived. */
async function logTogether(deps: CoreDeps, workspaceId: string, reports: readonly Report[]): Promise<LoggedIncident[]> {
  const { logged, deliveryIds, promptIds } = await deps.db.transaction().execute(async (tx) => {
    const first = await takeIncidentNumbers(tx, workspaceId, reports.length);
    const incidents = await insertIncidents(
      tx,
      reports.map((r, i) => ({
        workspaceId,
        number: first + i,
        teamId: r.team?.id ?? null,
        reporterId: r.reporter.id,
        sourceChannelId: r.interaction.channel?.channelId ?? null,
        requestId: r.interaction.requestId ?? null,
        draft: { ...r.draft, involved: r.involved.map((p) => p.id) },
        restricted: r.restricted,
        occurredAt: r.occurredAt,
      })),
    );
    await recordAudits(
      tx,
      incidents.map((incident, i) => ({ workspaceId, actorId: reports[i]!.reporter.id, action: "incident.logged", subject: incident.ref, after: incident })),
    );
    await joinOnFirstReport(tx, reports);
    const promptIds: string[] = [];
    for (const [i, incident] of incidents.entries()) {
      const r = reports[i]!;
      promptIds.push(...(await planPrompts(tx, deps.config, incident, r.team, [r.reporter, ...r.involved], deps.now())));
    }
    const requests: DeliveryRequest[] = [];
    for (const [i, incident] of incidents.entries()) requests.push(...(await candourAction(tx, deps.config, incident, reports[i]!.reporter, deps.now())));
    const logged = incidents.map((incident, i): LoggedIncident => {
      const r = reports[i]!;
      const people = { reporter: personName(r.reporter), involved: r.involved.map(personName) };
      if (r.team) requests.push(announcement(incident, channelBeside(r.interaction.actor, r.team.channelId), people, deps.config.timeZone));
      const briefing = r.restricted ? briefingFor(r.lead, incident, people, deps) : undefined;
      if (briefing) requests.push(briefing);
      return { incident, team: r.team, leadTold: r.restricted ? briefing !== undefined : null };
    });
    return { logged, deliveryIds: await recordDeliveries(tx, requests), promptIds };
  });
  await scheduleQuietly(deps, deliveryIds);
  await queuePromptsQuietly(deps, promptIds);
  return logged;
}

/** Someone with no home team who reports from a team's channel joins that team (audited), once however many reports. */
async function joinOnFirstReport(tx: DbOrTx, reports: readonly Report[]): Promise<void> {
  const joined = new Set<string>();
  for (const { reporter, team, interaction } of reports) {
    if (reporter.teamId !== null || !team || team.channelId !== interaction.channel?.channelId || joined.has(reporter.id)) continue;
    joined.add(reporter.id);
    await joinTeam(tx, { person: reporter, team, actor: reporter, told: [] });
  }
}
