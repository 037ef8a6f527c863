import { canSeeDetails } from "../../domain/access.ts";
import type { Incident } from "../../domain/incident.ts";
import type { DbOrTx } from "../../store/database.ts";
import { findIncidentsByIds } from "../../store/incidents.ts";
import { incidentCircle } from "../../usecases/incident-access.ts";
import type { Prompt } from "./store.ts";
import type { PromptLine } from "./views.ts";

/** Whether someone is still one of the people a prompt is for: the reporter, or listed as involved. */
export const stillInvolved = (incident: Incident, personId: string): boolean =>
  incident.reporterId === personId || incident.involved.includes(personId);

/** The incidents a set of prompts are about, read once each. */
export async function incidentsOf(db: DbOrTx, prompts: readonly Prompt[]): Promise<Map<number, Incident>> {
  const found = await findIncidentsByIds(db, [...new Set(prompts.map((p) => p.incidentId))]);
  return new Map(found.map((incident) => [incident.id, incident]));
}

/**
 * Prompts as a message lists them. The summary is shown only to someone who may see the incident's details (DESIGN.md);
 * the reference is all anyone else would get.
 */
export async function promptLines(db: DbOrTx, prompts: readonly Prompt[], incidents?: Map<number, Incident>): Promise<PromptLine[]> {
  const byId = incidents ?? (await incidentsOf(db, prompts));
  const lines: PromptLine[] = [];
  for (const p of prompts) {
    const incident = byId.get(p.incidentId);
    if (!incident) continue;
    // The reporter and those involved are in the circle by definition, so only anyone else needs it worked out.
    const visible = stillInvolved(incident, p.personId) || canSeeDetails(p.personId, (await incidentCircle(db, incident)).audience);
    lines.push({
      promptId: p.id,
      ref: incident.ref,
      summary: visible ? incident.summary : null,
      step: p.step,
      steps: p.steps,
      questionSet: p.questionSet,
      status: p.status,
      reminder: p.status === "sent" && p.reminders > 0,
      isReporter: incident.reporterId === p.personId,
    });
  }
  return lines;
}
