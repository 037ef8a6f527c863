import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import type { FormErrors } from "../../../src/views/view.ts";
import { slackPerson, submitRequestId } from "../interaction.ts";
import { reply } from "../outcome.ts";
import { clipPlain, formValues, inputIds, toConfirmationModal } from "../render.ts";
import { receivedAt, recordAck } from "../request-context.ts";
import { DEBRIEF_ID, type ListenerDeps } from "./deps.ts";

/**
 * Slack closes the modal with an error after 3 seconds. We answer by 2.5 s from arrival whatever the core is doing,
 * leaving room for the network back to Slack.
 */
export const ACK_BUDGET_MS = 2500;

export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(DEBRIEF_ID, formSubmitted(deps));
}

function formSubmitted(deps: ListenerDeps) {
  return async function handleFormSubmission({ ack, body, view, client, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> {
    const inputs = inputIds(view.blocks);
    const workspaceId = body.team?.id ?? body.user.team_id ?? view.team_id;
    const receipt = await deps.inbound.submit({
      interaction: { actor: slackPerson(workspaceId, body.user.id), channel: null, requestId: submitRequestId(body.user.id, view.id) },
      formId: view.callback_id,
      values: formValues(view.state.values),
      state: view.private_metadata || undefined,
      budgetMs: ACK_BUDGET_MS - (performance.now() - receivedAt(context)),
      tellLater: (later) => reply(later, { client, userId: body.user.id }),
    });

    const submission = receipt.kind === "answered" ? receipt.submission : undefined;
    if (submission?.kind === "done") {
      await ack({ response_action: "update", view: toConfirmationModal(submission.view, view.title.text) });
    } else if (submission?.kind === "errors") {
      await ack({ response_action: "errors", errors: onInputs(submission.errors, inputs) });
    } else if (receipt.kind === "problem" && inputs[0]) {
      // An error on an input is the only way to keep the modal, and what was typed in it, open.
      await ack({ response_action: "errors", errors: { [inputs[0]]: clipPlain(receipt.message, 2000) } });
    } else {
      await ack();
    }
    recordAck(deps.inbound, context, view.callback_id);
  };
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
