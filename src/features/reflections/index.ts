import type { Command } from "../../commands/command.ts";
import { grammarRoute } from "../../commands/route.ts";
import type { Feature, Request } from "../../core/feature.ts";
import { DomainError } from "../../domain/errors.ts";
import { updatePressed, type Outcome, type Submission } from "../../interaction.ts";
import type { FormValues, MessageView } from "../../views/view.ts";
import { answerPrompt, declineInvolvement, MAX_ANSWER, pendingPrompts, postLesson, promptsToPutOff, promptToAnswer, snoozePrompts } from "./answering.ts";
import { exportReflections } from "./export.ts";
import { reflectionsOverview } from "./overview.ts";
import {
  answerForm,
  exportedView,
  IDS,
  laterChoices,
  lessonPostedView,
  overviewView,
  pendingView,
  promptMessage,
  snoozedView,
  thanksView,
} from "./views.ts";

/**
 * Reflection prompts (issue 8): /reflect and /reflect export, and the buttons and form of the prompts themselves. The
 * prompts are planned when an incident is logged (./plan.ts) and sent by their jobs (./prompting.ts).
 */

type ReflectCommand = Extract<Command, { kind: `reflect.${string}` }>;

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

async function runReflect({ deps, interaction }: Request, command: ReflectCommand): Promise<Outcome> {
  switch (command.kind) {
    case "reflect.pending": {
      const { lines, upcoming } = await pendingPrompts(deps, interaction);
      return reply(pendingView(lines, upcoming));
    }
    case "reflect.team": {
      const o = await reflectionsOverview(deps, interaction);
      return reply(overviewView({ ...o, teamName: o.team?.name ?? null }));
    }
    case "reflect.export": {
      const exported = await exportReflections(deps, interaction);
      return reply(exportedView(exported.count, exported.incidents, exported.where ?? ""));
    }
  }
}

async function openForm({ deps, interaction }: Request, promptId: string): Promise<Outcome> {
  return { kind: "form", form: answerForm(await promptToAnswer(deps, interaction, promptId), MAX_ANSWER) };
}

async function submitAnswers({ deps, interaction }: Request, values: FormValues, state: string | undefined): Promise<Submission> {
  if (!state) throw new DomainError("INVALID", "This form has lost track of its prompt. Open it again from the prompt's Reflect now button.");
  const answered = await answerPrompt(deps, interaction, state, values);
  if ("errors" in answered) return { kind: "errors", errors: answered.errors };
  return { kind: "done", view: thanksView(answered.ref, answered.lessonFate) };
}

async function later({ deps, interaction }: Request, ids: string): Promise<Outcome> {
  return updatePressed(laterChoices(await promptsToPutOff(deps, interaction, ids)));
}

async function snooze({ deps, interaction }: Request, value: string): Promise<Outcome> {
  const { refs, when } = await snoozePrompts(deps, interaction, value);
  return updatePressed(snoozedView(refs, when));
}

async function notInvolved({ deps, interaction }: Request, promptId: string): Promise<Outcome> {
  return updatePressed(promptMessage(await declineInvolvement(deps, interaction, promptId)));
}

async function post({ deps, interaction }: Request, promptId: string): Promise<Outcome> {
  const posted = await postLesson(deps, interaction, promptId);
  return updatePressed(lessonPostedView(posted.ref, posted.channelName, posted.lesson));
}

export const reflections: Feature = {
  commands: {
    reflect: grammarRoute<ReflectCommand>("reflect", runReflect),
  },
  buttons: {
    [IDS.reflect]: openForm,
    [IDS.later]: later,
    [IDS.snooze]: snooze,
    [IDS.notInvolved]: notInvolved,
    [IDS.postLesson]: post,
  },
  forms: { [IDS.form]: submitAnswers },
};

