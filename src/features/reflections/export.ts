import { DateTime } from "luxon";
import { categoryLabel } from "../../domain/categories.ts";
import type { Incident } from "../../domain/incident.ts";
import type { Interaction } from "../../interaction.ts";
import { recordAudit } from "../../store/audit.ts";
import { findIncidentById } from "../../store/incidents.ts";
import { workspaceKey } from "../../store/keys.ts";
import type { CoreDeps } from "../../usecases/deps.ts";
import { knownPerson } from "../../usecases/people.ts";
import { clockFor } from "./plan.ts";
import { reflectionsBy, type Reflection } from "./store.ts";
import { setName } from "./views.ts";

type Exported = Reflection & { step: number; steps: number };

const day = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).setLocale("en-GB").toFormat("d LLLL yyyy");

/**
 * A person's own reflections as Markdown for a CPD record (Social Work England asks for what was learned and its
 * impact on practice): grouped by incident, with dates, questions and answers as written. A restricted incident is
 * named by reference and category only, since the file leaves Debrief.
 */
export function cpdMarkdown(name: string, groups: readonly { incident: Incident; reflections: readonly Exported[] }[], zone: string, at: Date): string {
  const count = groups.reduce((n, g) => n + g.reflections.length, 0);
  const out = [
    "# My reflections: CPD evidence",
    "",
    `${name}, exported from Debrief on ${day(at, zone)}: ${count} reflection${count === 1 ? "" : "s"} on ${groups.length} incident${groups.length === 1 ? "" : "s"}.`,
    "",
  ];
  for (const { incident, reflections } of groups) {
    const about = incident.restricted ? `${categoryLabel(incident.category)} (restricted: details not included)` : `${categoryLabel(incident.category)}: ${incident.summary}`;
    out.push(`## ${incident.ref}, ${about}`, "", `Logged ${day(incident.reportedAt, zone)}.`, "");
    for (const r of reflections) {
      out.push(`### Reflection ${r.step + 1} of ${r.steps}: ${setName(r.questionSet)}`, "", `Answered ${day(r.answeredAt, zone)}${r.cpd ? ", kept as CPD evidence" : ""}.`, "");
      for (const { question, answer } of r.answers) out.push(`**${question}**`, "", answer, "");
      if (r.lesson) out.push(`**Lesson shared with the team (${r.lessonNamed ? "with my name" : "anonymously"}):**`, "", r.lesson, "");
    }
  }
  return out.join("\n");
}

/** /reflect export: the person's own reflections, handed to them as a file where the platform puts files; audited. */
export async function exportReflections(deps: CoreDeps, interaction: Interaction): Promise<{ count: number; incidents: number; where: string | null }> {
  const person = await knownPerson(deps, interaction.actor);
  const own = await reflectionsBy(deps.db, person.id);
  if (own.length === 0) return { count: 0, incidents: 0, where: null };
  const byIncident = new Map<number, Exported[]>();
  for (const r of own) byIncident.set(r.incidentId, [...(byIncident.get(r.incidentId) ?? []), r]);
  const groups = [];
  for (const [id, reflections] of byIncident) {
    const incident = await findIncidentById(deps.db, id);
    if (incident) groups.push({ incident, reflections });
  }
  const now = deps.now();
  const zone = clockFor(person, deps.config).zone;
  const files = deps.files[interaction.actor.platform];
  if (!files) throw new Error(`no way to send files on ${interaction.actor.platform}`);
  const sent = await files.sendToPerson(interaction.actor, {
    filename: `debrief-reflections-${DateTime.fromJSDate(now, { zone }).toISODate()}.md`,
    title: "My reflections (CPD evidence)",
    content: cpdMarkdown(person.displayName, groups, zone, now),
    comment: "Your reflections from Debrief, for your CPD record. Only you were sent this.",
  });
  await recordAudit(deps.db, { workspaceId: workspaceKey(interaction.actor.platform, interaction.actor.workspaceId), actorId: person.id, action: "reflection.exported", subject: person.id, after: { reflections: own.length } });
  return { count: own.length, incidents: groups.length, where: sent.where };
}
