import type { Settings } from "../../config.ts";
import { addWorkingDays } from "../../domain/escalation.ts";
import type { Incident } from "../../domain/incident.ts";
import type { DeliveryRequest } from "../../delivery/outbox.ts";
import { insertAction } from "../../store/actions.ts";
import { recordAudit } from "../../store/audit.ts";
import type { DbOrTx } from "../../store/database.ts";
import { findPerson, type Person } from "../../store/people.ts";
import { takeActionNumber } from "../../store/workspaces.ts";
import { personName } from "../../usecases/people.ts";
import { actionAssignedView } from "../../views/action-views.ts";
import { ladderContext, startOfLadder } from "./ladder.ts";
import { ownerButtons } from "./views.ts";

export const CANDOUR_TITLE = "Duty of candour: notify and apologise";

/** DOMAIN.md: "as soon as reasonably practicable"; Debrief holds the team to 10 working days. */
export const CANDOUR_WORKING_DAYS = 10;

/**
 * An incident that needs the duty of candour gets its action, once: "notify and apologise", owned by the team's lead
 * (the reporter when the team has none, so it is never nobody's), due in 10 working days, climbing the ladder like any
 * other. Returns the owner's direct message to record with it.
 */
export async function candourAction(tx: DbOrTx, base: Settings, incident: Incident, reporter: Person, now: Date): Promise<DeliveryRequest[]> {
  if (!incident.notifications.includes("duty_of_candour")) return [];
  const existing = await tx.selectFrom("action").select("id").where("incident_id", "=", incident.id).where("title", "=", CANDOUR_TITLE).executeTakeFirst();
  if (existing) return [];
  const context = await ladderContext(tx, base, incident, reporter);
  const lead = context.team?.leadId ? await findPerson(tx, context.team.leadId) : undefined;
  const owner = lead ?? reporter;
  const dueAt = addWorkingDays(now, CANDOUR_WORKING_DAYS, context.clocks.team);
  const number = await takeActionNumber(tx, incident.workspaceId);
  const next = await startOfLadder(tx, base, incident, owner, dueAt, now);
  const action = await insertAction(tx, { workspaceId: incident.workspaceId, number, incident, title: CANDOUR_TITLE, ownerId: owner.id, dueAt, createdBy: reporter.id, next });
  await recordAudit(tx, { workspaceId: incident.workspaceId, actorId: null, action: "action.added", subject: action.ref, after: { ...action, why: "duty of candour" } });
  const key = `action-${action.id}-assigned`;
  const view = actionAssignedView(action, personName(reporter), context.clocks.owner.zone, now);
  return [{ dedupeKey: key, target: { kind: "person", person: owner.ref }, view: { ...view, buttons: ownerButtons(action, key) } }];
}
