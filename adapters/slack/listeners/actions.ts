import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { pressRequestId, slackChannel, slackPerson } from "../interaction.ts";
import { updatePressed } from "../../../src/interaction.ts";
import { show } from "../outcome.ts";
import { buttonId, formValues, sendsAnswers } from "../render.ts";
import { recordAck } from "../request-context.ts";
import { DEBRIEF_ID, type ListenerDeps } from "./deps.ts";

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(DEBRIEF_ID, buttonPressed(deps));
}

function buttonPressed(deps: ListenerDeps) {
  return async function handleButton({
    ack,
    body,
    action,
    respond,
    client,
    context,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> {
    await ack();
    const id = buttonId(action.action_id);
    recordAck(deps.inbound, context, id);
    if (action.type !== "button") return;
    const workspaceId = body.team?.id ?? body.user.team_id ?? "";
    const interaction = {
      actor: slackPerson(workspaceId, body.user.id),
      // Buttons in the Home tab or a modal belong to no channel.
      channel: body.channel ? slackChannel(workspaceId, body.channel.id) : null,
      requestId: pressRequestId(body, action),
    };
    const audience = {
      respond: body.response_url ? respond : undefined,
      client,
      triggerId: body.trigger_id,
      userId: body.user.id,
      pressedInMessage: body.container.type === "message",
    };
    if (!sendsAnswers(action.action_id)) {
      await show(await deps.inbound.press(interaction, id, action.value ?? ""), audience);
      return;
    }
    // Answers given in the message itself reach the core as a form: saved, the message becomes what it answers;
    // refused, the person is told why beside it and the message keeps what they typed.
    const receipt = await deps.inbound.submit({ interaction, formId: id, values: formValues(body.state?.values ?? {}), state: action.value });
    if (receipt.kind === "answered" && receipt.submission.kind === "done") await show(updatePressed(receipt.submission.view), audience);
    else {
      const problems = receipt.kind === "problem" ? [receipt.message] : Object.values(receipt.submission.kind === "errors" ? receipt.submission.errors : {});
      const text = `Not sent yet: ${problems.join(" ")}`;
      await show({ kind: "reply", view: { text, sections: [{ text }] } }, audience);
    }
  };
}
