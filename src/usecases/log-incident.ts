import { isRestricted } from "../domain/harm.ts";
import type { Incident, IncidentDraft } from "../domain/incident.ts";
import { recordDeliveries, type DeliveryRequest } from "../delivery/outbox.ts";
import type { Interaction } from "../interaction.ts";
import { recordAudit } from "../store/audit.ts";
import { workspaceKey } from "../store/keys.ts";
import { insertIncident } from "../store/incidents.ts";
import type { Team } from "../store/teams.ts";
import { takeIncidentNumber } from "../store/workspaces.ts";
import { announcement } from "./announcement.ts";
import { leadBriefing } from "./lead-briefing.ts";
import type { CoreDeps } from "./deps.ts";
import { knownPerson, mentionedRef } from "./people.ts";
import { teamOf } from "./team-spaces.ts";
import { scheduleQuietly } from "./schedule.ts";

export interface LoggedIncident {
  incident: Incident;
  team: Team | undefined;
  /** Whether the lead was sent the details: null when the incident is not restricted. */
  leadTold: boolean | null;
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
  const reporter = await knownPerson(deps, interaction.actor);
  const involved = await Promise.all(involvedUserIds.map((id) => knownPerson(deps, mentionedRef(interaction.actor, id))));
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const restricted = isRestricted(draft);

  const { logged, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const team = await teamOf(tx, interaction, reporter);
    const number = await takeIncidentNumber(tx, workspaceId);
    const incident = await insertIncident(tx, {
      workspaceId,
      number,
      teamId: team?.id ?? null,
      reporterId: reporter.id,
      sourceChannelId: interaction.channel?.channelId ?? null,
      draft: { ...draft, involved: involved.map((p) => p.id) },
      restricted,
      occurredAt: draft.occurredAt ?? deps.now(),
    });
    await recordAudit(tx, { workspaceId, actorId: reporter.id, action: "incident.logged", subject: incident.ref, after: incident });

    const people = { reporter: interaction.actor.userId, involvedUserIds };
    const requests: DeliveryRequest[] = [];
    if (team) {
      const channel = { ...interaction.actor, channelId: team.channelId };
      requests.push(announcement(incident, channel, { reporter: people.reporter, involved: involvedUserIds }, deps.config.timeZone));
    }
    let leadTold: boolean | null = null;
    if (restricted) {
      const briefing = await leadBriefing(tx, incident, team, { reporter: people.reporter, involved: involvedUserIds }, deps);
      leadTold = briefing !== undefined;
      if (briefing) requests.push(briefing);
    }
    const deliveryIds = await recordDeliveries(tx, requests);
    return { logged: { incident, team, leadTold }, deliveryIds };
  });

  await scheduleQuietly(deps, deliveryIds);
  return logged;
}
