import type { Settings } from "../../config.ts";
import type { Incident } from "../../domain/incident.ts";
import { promptDueAt, zoneFor, type PromptClock } from "../../domain/prompt-time.ts";
import { questionSetFor } from "../../domain/question-sets.ts";
import type { DbOrTx } from "../../store/database.ts";
import type { Person } from "../../store/people.ts";
import type { Team } from "../../store/teams.ts";
import { teamSettings, type TeamSettingsInForce as TeamSettings } from "../../usecases/team-settings.ts";
import { finishPrompt, insertPrompts, livePromptsFor, type NewPrompt } from "./store.ts";

/** When and in what zone a person is prompted: their own zone, else their team's, else the workspace's. */
export function clockFor(person: Pick<Person, "timeZone">, settings: TeamSettings): PromptClock {
  return { zone: zoneFor(person.timeZone, settings.teamTimeZone, settings.timeZone), workingHours: settings.workingHours };
}

/**
 * Records a prompt for each person at each offset of the team's schedule, counted from `from` (when the incident was
 * logged, or when they were added to it), each moved into that person's working hours. Called in the transaction that
 * logs or changes the incident, so prompts exist exactly when the reason for them does. Returns the new prompts' ids
 * to queue once that transaction commits.
 */
export async function planPrompts(
  tx: DbOrTx,
  base: Settings,
  incident: Incident,
  team: Team | undefined,
  people: readonly Person[],
  from: Date,
): Promise<string[]> {
  const settings = teamSettings(base, team);
  const schedule = settings.reflectionSchedule;
  const unique = [...new Map(people.map((p) => [p.id, p])).values()];
  const prompts: NewPrompt[] = unique.flatMap((person) =>
    schedule.map((offset, step) => ({
      workspaceId: incident.workspaceId,
      incidentId: incident.id,
      personId: person.id,
      step,
      steps: schedule.length,
      questionSet: questionSetFor(step, schedule.length, settings.questionSets),
      dueAt: promptDueAt(from, offset, clockFor(person, settings)),
    })),
  );
  return insertPrompts(tx, prompts);
}

/**
 * Who is involved changed: those added are prompted from now, as if the incident had just been logged for them; those
 * taken off are asked nothing more (the reporter stays, whatever the list says). Returns new prompts' ids to queue.
 */
export async function replanForInvolved(
  tx: DbOrTx,
  base: Settings,
  incident: Incident,
  team: Team | undefined,
  change: { added: readonly Person[]; removed: readonly string[] },
  now: Date,
): Promise<string[]> {
  for (const personId of change.removed.filter((id) => id !== incident.reporterId)) {
    for (const prompt of await livePromptsFor(tx, incident.id, personId)) await finishPrompt(tx, prompt.id, "withdrawn", now);
  }
  return planPrompts(tx, base, incident, team, change.added, now);
}
