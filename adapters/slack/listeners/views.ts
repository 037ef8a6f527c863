import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import type { Submission } from "../../../src/interaction.ts";
import type { FormErrors } from "../../../src/views/view.ts";
import { userMessage } from "../errors.ts";
import { slackPerson, submitRequestId } from "../interaction.ts";
import { reply } from "../outcome.ts";
import { clipPlain, formValues, inputIds, toConfirmationModal } from "../render.ts";
import { receivedAt, recordAck, requestLog } from "../request-context.ts";
import { DEBRIEF_ID, type ListenerDeps } from "./deps.ts";

/**
 * Slack closes the modal with an error after 3 seconds. We answer by 2.5 s from arrival whatever the core is doing,
 * leaving room for the network back to Slack.
 */
export const ACK_BUDGET_MS = 2500;

export const NOT_SAVED_YET = "Nothing has been saved yet: this is taking longer than it should. Please try again in a moment.";

export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(DEBRIEF_ID, formSubmitted(deps));
}

type Settled = { kind: "answered"; submission: Submission } | { kind: "failed"; error: unknown } | { kind: "late" };

function formSubmitted(deps: ListenerDeps) {
  return async function handleFormSubmission({
    ack,
    body,
    view,
    client,
    context,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> {
    const log = requestLog(deps.log, context);
    const inputs = inputIds(view.blocks);
    const workspaceId = body.team?.id ?? body.user.team_id ?? view.team_id;
    const interaction = { actor: slackPerson(workspaceId, body.user.id), channel: null, requestId: submitRequestId(body.user.id, view.id) };
    // The save happens before the ack, so a failure can keep the modal open with everything the user typed.
    const saving = deps.debrief.submitForm(
      interaction,
      view.callback_id,
      formValues(view.state.values),
      view.private_metadata || undefined,
    );
    const settled = await within(saving, ACK_BUDGET_MS - (performance.now() - receivedAt(context)));

    if (settled.kind === "answered") {
      const { submission } = settled;
      if (submission.kind === "done") {
        await ack({ response_action: "update", view: toConfirmationModal(submission.view, view.title.text) });
      } else {
        await ack({ response_action: "errors", errors: onInputs(submission.errors, inputs) });
      }
    } else {
      let message: string;
      if (settled.kind === "failed") {
        log.error({ err: settled.error, form: view.callback_id }, "form submission failed");
        message = userMessage(settled.error);
      } else {
        log.warn({ form: view.callback_id, budgetMs: ACK_BUDGET_MS }, "form submission still running at the ack deadline");
        message = NOT_SAVED_YET;
      }
      // An error on an input is the only way to keep the modal, and what was typed in it, open.
      if (inputs[0]) await ack({ response_action: "errors", errors: { [inputs[0]]: clipPlain(message, 2000) } });
      else await ack();
    }
    recordAck(deps.metrics, context, view.callback_id);

    if (settled.kind === "late") {
      // The user was told nothing was saved yet; if it saves after all, say so, so they don't log it twice.
      void saving.then(
        async (late) => {
          if (late.kind !== "done") return;
          log.warn({ form: view.callback_id }, "form saved after the ack deadline; telling the user by DM");
          await reply(
            { ...late.view, text: `It was saved after all: ${late.view.text}`, context: "Your form was saved after all; no need to send it again." },
            { client, userId: body.user.id },
          );
        },
        (err: unknown) => log.error({ err, form: view.callback_id }, "form submission failed after the ack deadline"),
      ).catch((err: unknown) => log.warn({ err }, "could not tell the user their form was saved late"));
    }
  };
}

/** Waits for the save, but not past the budget. */
async function within(saving: Promise<Submission>, budgetMs: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "late" }), Math.max(0, budgetMs));
  });
  try {
    return await Promise.race([
      saving.then(
        (submission): Settled => ({ kind: "answered", submission }),
        (error: unknown): Settled => ({ kind: "failed", error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Slack rejects the whole answer if an error names no input of the modal; such errors go on the first input. */
function onInputs(errors: FormErrors, inputs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const stray: string[] = [];
  for (const [id, message] of Object.entries(errors)) {
    if (inputs.includes(id)) out[id] = clipPlain(message, 2000);
    else stray.push(message);
  }
  const first = inputs[0];
  if (stray.length && first) out[first] = clipPlain([out[first], ...stray].filter(Boolean).join(" "), 2000);
  return out;
}
