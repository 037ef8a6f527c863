import { localTime, snoozeUntil, SNOOZES, type Snooze } from "../../domain/prompt-time.ts";
import { QUESTION_SETS, type QuestionSetId } from "../../domain/question-sets.ts";
import { DomainError } from "../../domain/errors.ts";
import type { Incident } from "../../domain/incident.ts";
import { recordDeliveries, reviseDelivery, type DeliveryRequest } from "../../delivery/outbox.ts";
import type { Interaction } from "../../interaction.ts";
import { recordAudit } from "../../store/audit.ts";
import type { DbOrTx } from "../../store/database.ts";
import { findIncidentById, removeInvolved } from "../../store/incidents.ts";
import { channelBeside } from "../../store/keys.ts";
import { findPerson, type Person } from "../../store/people.ts";
import { findTeam } from "../../store/teams.ts";
import type { CoreDeps } from "../../usecases/deps.ts";
import { knownPerson, personName } from "../../usecases/people.ts";
import { queuePromptsQuietly, scheduleQuietly } from "../../usecases/schedule.ts";
import type { FormErrors, FormValues } from "../../views/view.ts";
import { incidentsOf, promptLines } from "./lines.ts";
import { clockFor, replanForInvolved } from "./plan.ts";
import { teamSettings } from "../../usecases/team-settings.ts";
import {
  finishPrompt,
  findPrompt,
  insertReflection,
  movePrompt,
  promptsCarriedBy,
  promptsOf,
  sharedLesson,
  type Prompt,
  type ReflectionAnswer,
} from "./store.ts";
import { lessonForLead, lessonPost, notInvolvedNotice, promptMessage, type PromptLine } from "./views.ts";

/** Each answer may be this long (Slack's limit for a modal's text input), and is kept whole. */
export const MAX_ANSWER = 3000;

/**
 * A prompt its person acts on. Someone else's prompt is "not found", with nothing about it: not whose it is, nor
 * which incident it concerns.
 */
async function ownPrompt(db: DbOrTx, person: Person, promptId: string, options: { forUpdate?: boolean } = {}): Promise<Prompt> {
  const prompt = await findPrompt(db, promptId, options);
  if (!prompt || prompt.personId !== person.id) {
    throw new DomainError("NOT_FOUND", "That reflection prompt is not one of yours. /reflect lists yours.");
  }
  return prompt;
}

async function incidentOf(db: DbOrTx, prompt: Prompt): Promise<Incident> {
  const incident = await findIncidentById(db, prompt.incidentId);
  if (!incident) throw new DomainError("NOT_FOUND", "The incident this prompt was about is no longer there.");
  return incident;
}

/** Why a finished prompt cannot be answered, in the person's terms. */
function finished(prompt: Prompt, ref: string): DomainError | undefined {
  if (prompt.status === "answered") return new DomainError("INVALID", `You have already answered this reflection on ${ref}, so nothing was changed. Your first answers are kept.`);
  if (prompt.status === "withdrawn") return new DomainError("INVALID", `You said you were not involved in ${ref}, so there is nothing to reflect on.`);
  return undefined;
}

/** "Reflect now": the prompt as its answer form shows it. An expired prompt may still be answered: late learning counts. */
export async function promptToAnswer(deps: CoreDeps, interaction: Interaction, promptId: string): Promise<PromptLine> {
  const person = await knownPerson(deps, interaction.actor);
  const prompt = await ownPrompt(deps.db, person, promptId);
  const incident = await incidentOf(deps.db, prompt);
  const refused = finished(prompt, incident.ref);
  if (refused) throw refused;
  return (await promptLines(deps.db, [prompt], new Map([[incident.id, incident]])))[0]!;
}

export interface Answered {
  ref: string;
  /** What became of a shared lesson, to tell its author; null when none was shared. */
  lessonFate: string | null;
}

/** The form's answers, read and checked; problems are keyed by input, as the form shows them. */
export function readAnswers(questionSet: string, values: FormValues): { ok: true; answers: ReflectionAnswer[]; lesson: string | null; named: boolean; cpd: boolean } | { ok: false; errors: FormErrors } {
  const questions = QUESTION_SETS[questionSet as QuestionSetId]?.questions ?? [];
  const text = (id: string) => (typeof values[id] === "string" ? (values[id] as string).trim() : "");
  const errors: FormErrors = {};
  const answers = questions.flatMap((question, i) => (text(`q${i}`) ? [{ question, answer: text(`q${i}`) }] : []));
  for (const id of [...questions.map((_, i) => `q${i}`), "lesson"]) {
    const length = text(id).length;
    if (length > MAX_ANSWER) errors[id] = `This is ${length} characters; the most is ${MAX_ANSWER}. Nothing was saved, and what you wrote is still here.`;
  }
  if (answers.length === 0 && !text("lesson")) errors.q0 = "Answer at least one question, in your own words, to save the reflection.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, answers, lesson: text("lesson") || null, named: values.named === "named", cpd: values.cpd !== "no" };
}

/**
 * Stores a person's answers to their own prompt, once: the prompt row is locked, so a second submission (the form sent
 * twice, or opened twice) is refused and changes nothing. The audit log records that it was answered, never what it
 * says. A shared lesson goes to the team's channel under the reference, or, for a restricted incident, to the lead.
 */
export async function answerPrompt(deps: CoreDeps, interaction: Interaction, promptId: string, values: FormValues): Promise<Answered | { errors: FormErrors }> {
  const person = await knownPerson(deps, interaction.actor);
  const now = deps.now();
  const { answered, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const prompt = await ownPrompt(tx, person, promptId, { forUpdate: true });
    const incident = await incidentOf(tx, prompt);
    const refused = finished(prompt, incident.ref);
    if (refused) return { answered: { errors: { q0: refused.message } }, deliveryIds: [] };
    const read = readAnswers(prompt.questionSet, values);
    if (!read.ok) return { answered: { errors: read.errors }, deliveryIds: [] };

    await insertReflection(tx, {
      promptId: prompt.id,
      workspaceId: prompt.workspaceId,
      authorId: person.id,
      incidentId: incident.id,
      questionSet: prompt.questionSet,
      answers: read.answers,
      lesson: read.lesson,
      lessonNamed: read.named,
      cpd: read.cpd,
      answeredAt: now,
    });
    await finishPrompt(tx, prompt.id, "answered", now);
    // That it was answered, and whether a lesson was shared: never the answers themselves.
    await recordAudit(tx, {
      workspaceId: prompt.workspaceId,
      actorId: person.id,
      action: "reflection.answered",
      subject: incident.ref,
      after: { prompt: prompt.id, step: prompt.step + 1, questionSet: prompt.questionSet, lessonShared: read.lesson !== null, cpd: read.cpd },
    });
    const lesson = read.lesson ? await shareLesson(tx, { incident, person, prompt, lesson: read.lesson, named: read.named }) : { fate: null, requests: [] };
    const ids = [...(await recordDeliveries(tx, lesson.requests)), ...(await reviseCarrier(tx, prompt, "answered"))];
    return { answered: { ref: incident.ref, lessonFate: lesson.fate }, deliveryIds: ids };
  });
  await scheduleQuietly(deps, deliveryIds);
  return answered;
}

async function shareLesson(
  tx: DbOrTx,
  { incident, person, prompt, lesson, named }: { incident: Incident; person: Person; prompt: Prompt; lesson: string; named: boolean },
): Promise<{ fate: string; requests: DeliveryRequest[] }> {
  const team = incident.teamId === null ? undefined : await findTeam(tx, incident.teamId);
  const author = named ? personName(person) : null;
  if (!team) return { fate: `${incident.ref} belongs to no team channel, so your lesson is kept with your reflection only.`, requests: [] };
  const how = named ? "with your name" : "without your name";
  if (!incident.restricted) {
    const channel = channelBeside(person.ref, team.channelId);
    return {
      fate: `Your lesson is shared in #${team.name} under ${incident.ref}, ${how}.`,
      requests: [{ dedupeKey: `reflection-${prompt.id}-lesson`, target: { kind: "channel", channel }, view: lessonPost(incident.ref, lesson, author) }],
    };
  }
  const lead = team.leadId ? await findPerson(tx, team.leadId) : undefined;
  if (!lead) return { fate: `${incident.ref} is restricted and #${team.name} has no lead to pass it on, so your lesson is kept with your reflection only.`, requests: [] };
  return {
    fate: `${incident.ref} is restricted, so your lesson went to the team's lead, ${how}, who may post it in #${team.name} without the incident's details or your name.`,
    requests: [{ dedupeKey: `reflection-${prompt.id}-lesson-lead`, target: { kind: "person", person: lead.ref }, view: lessonForLead(incident.ref, lesson, author, team.name, prompt.id) }],
  };
}

/** The message that carried a prompt, said again as its prompts now stand. */
async function reviseCarrier(tx: DbOrTx, prompt: Prompt, why: string): Promise<string[]> {
  if (!prompt.messageKey) return [];
  const lines = await promptLines(tx, await promptsCarriedBy(tx, prompt.messageKey));
  return reviseDelivery(tx, prompt.messageKey, promptMessage(lines), `${prompt.messageKey}-${why}-${prompt.id}`);
}

/** "Remind me later": the chosen prompts wait until then, and the next time asks again rather than counting as a reminder. */
export async function snoozePrompts(deps: CoreDeps, interaction: Interaction, value: string): Promise<{ refs: string[]; when: string }> {
  const [choice, list = ""] = value.split(":");
  if (!SNOOZES.some((s) => s.id === choice)) throw new DomainError("INVALID", "That button has lost track of when to ask again. /reflect lists what is waiting.");
  const person = await knownPerson(deps, interaction.actor);
  const now = deps.now();
  const { refs, at, ids, zone } = await deps.db.transaction().execute(async (tx) => {
    const prompts = await Promise.all(list.split(",").map((id) => ownPrompt(tx, person, id, { forUpdate: true })));
    const live = prompts.filter((p) => p.status === "scheduled" || p.status === "sent");
    if (live.length === 0) throw new DomainError("INVALID", "Those reflections are answered or closed already, so there is nothing to put off.");
    const incidents = await incidentsOf(tx, live);
    const first = incidents.get(live[0]!.incidentId);
    const team = first?.teamId ? await findTeam(tx, first.teamId) : undefined;
    const clock = clockFor(person, teamSettings(deps.config, team));
    const until = snoozeUntil(choice as Snooze, now, clock);
    for (const p of live) await movePrompt(tx, p.id, until, true);
    return { refs: [...new Set(live.map((p) => incidents.get(p.incidentId)?.ref ?? "?"))], at: until, ids: live.map((p) => p.id), zone: clock.zone };
  });
  await queuePromptsQuietly(deps, ids);
  return { refs, when: localTime(at, zone) };
}

/**
 * "I wasn't involved": their prompts for the incident end, they leave its circle (no longer listed as involved), and
 * the reporter is told. Audited as any change to who is involved. Reporters cannot: they were there to report it.
 */
export async function declineInvolvement(deps: CoreDeps, interaction: Interaction, promptId: string): Promise<PromptLine[]> {
  const person = await knownPerson(deps, interaction.actor);
  const now = deps.now();
  const { lines, deliveryIds } = await deps.db.transaction().execute(async (tx) => {
    const prompt = await ownPrompt(tx, person, promptId, { forUpdate: true });
    const incident = await incidentOf(tx, prompt);
    // A press replayed after answering (its button is gone from the message): having reflected on it, they were there.
    if (prompt.status === "answered") {
      throw new DomainError("INVALID", `You have already answered this reflection on ${incident.ref}, so you stay listed as involved and nothing was changed.`);
    }
    if (incident.reporterId === person.id) throw new DomainError("INVALID", `You reported ${incident.ref}, so you stay on its record.`);
    if (!incident.involved.includes(person.id)) throw new DomainError("INVALID", `You are not listed as involved in ${incident.ref}; nothing was changed.`);
    await removeInvolved(tx, incident.id, person.id);
    await replanForInvolved(tx, deps.config, incident, undefined, { added: [], removed: [person.id] }, now);
    const auditId = await recordAudit(tx, {
      workspaceId: incident.workspaceId,
      actorId: person.id,
      action: "incident.involved_changed",
      subject: incident.ref,
      before: { involved: incident.involved },
      after: { involved: incident.involved.filter((id) => id !== person.id), reason: "said they were not involved" },
    });
    const reporter = await findPerson(tx, incident.reporterId);
    const tell = reporter
      ? await recordDeliveries(tx, [
          { dedupeKey: `audit-${auditId}-tell-${reporter.id}`, target: { kind: "person", person: reporter.ref }, view: notInvolvedNotice(incident.ref, personName(person)) },
        ])
      : [];
    const revised = await reviseCarrier(tx, prompt, "withdrawn");
    const carried = prompt.messageKey ? await promptsCarriedBy(tx, prompt.messageKey) : [await ownPrompt(tx, person, promptId)];
    return { lines: await promptLines(tx, carried), deliveryIds: [...tell, ...revised] };
  });
  await scheduleQuietly(deps, deliveryIds);
  return lines;
}

/** The lead posts a lesson from a restricted incident in the team's channel: its reference and the lesson, nothing more. */
export async function postLesson(deps: CoreDeps, interaction: Interaction, promptId: string): Promise<{ ref: string; channelName: string; lesson: string }> {
  const actor = await knownPerson(deps, interaction.actor);
  const shared = await sharedLesson(deps.db, promptId);
  const incident = shared ? await findIncidentById(deps.db, shared.incidentId) : undefined;
  const team = incident?.teamId ? await findTeam(deps.db, incident.teamId) : undefined;
  if (!shared || !incident || !team || team.leadId !== actor.id) {
    throw new DomainError("FORBIDDEN", "Only the team's lead can post a lesson passed to them.");
  }
  const ids = await recordDeliveries(deps.db, [
    {
      dedupeKey: `reflection-${promptId}-lesson`,
      target: { kind: "channel", channel: channelBeside(actor.ref, team.channelId) },
      // Never named, even when the author chose to be: a name beside a restricted reference tells the channel who was
      // involved in it, which is one of the incident's details. The lead, in its circle, saw the name.
      view: lessonPost(incident.ref, shared.lesson, null),
    },
  ]);
  await scheduleQuietly(deps, ids);
  return { ref: incident.ref, channelName: team.name, lesson: shared.lesson };
}

/** /reflect: my prompts waiting for an answer, and when the next ones come. */
export async function pendingPrompts(deps: CoreDeps, interaction: Interaction): Promise<{ lines: PromptLine[]; upcoming: { ref: string; when: string }[] }> {
  const person = await knownPerson(deps, interaction.actor);
  const waiting = await promptsOf(deps.db, person.id, ["sent"]);
  const coming = await promptsOf(deps.db, person.id, ["scheduled"]);
  const incidents = await incidentsOf(deps.db, [...waiting, ...coming]);
  const zone = clockFor(person, deps.config).zone;
  return {
    lines: await promptLines(deps.db, waiting, incidents),
    upcoming: coming.slice(0, 5).map((p) => ({ ref: incidents.get(p.incidentId)?.ref ?? "?", when: localTime(p.nextAt ?? p.dueAt, zone) })),
  };
}

/** "Remind me later" is offered only for prompts of theirs still waiting, so the choices never lead to a refusal. */
export async function promptsToPutOff(deps: CoreDeps, interaction: Interaction, list: string): Promise<string> {
  const person = await knownPerson(deps, interaction.actor);
  const prompts = await Promise.all(list.split(",").map((id) => ownPrompt(deps.db, person, id)));
  const live = prompts.filter((p) => p.status === "scheduled" || p.status === "sent");
  if (live.length === 0) throw new DomainError("INVALID", "Those reflections are answered or closed already, so there is nothing to put off.");
  return live.map((p) => p.id).join(",");
}
