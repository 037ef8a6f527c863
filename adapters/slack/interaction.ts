import type { BlockAction, ButtonAction, SlashCommand } from "@slack/bolt";
import type { Interaction } from "../../src/interaction.ts";
import type { ChannelRef, PersonRef } from "../../src/ports.ts";

/** Slack's ids as the core's refs: the workspace is the Slack team id (T…). */
export function slackPerson(workspaceId: string, userId: string): PersonRef {
  return { platform: "slack", workspaceId, userId };
}

export function slackChannel(workspaceId: string, channelId: string): ChannelRef {
  return { platform: "slack", workspaceId, channelId };
}

/** Who typed a slash command and where; a command typed in a direct message has no channel. */
export function commandInteraction(command: SlashCommand): Interaction {
  const inDm = command.channel_name === "directmessage";
  return {
    actor: slackPerson(command.team_id, command.user_id),
    channel: inDm ? null : slackChannel(command.team_id, command.channel_id),
    ...(inDm ? {} : { channelName: command.channel_name }),
    // Unique to each time a command is typed, so a queued command run twice does its work once.
    requestId: command.trigger_id,
  };
}

/**
 * A press's request id. The same button pressed again on the same message (or modal, or Home tab) by the same person is
 * the same request, so a double click or a resent press does its work once. Pressing it again after a refusal, or
 * after it opened a form, runs again: neither is kept (see src/requests/once.ts).
 */
export function pressRequestId(body: BlockAction, action: ButtonAction): string {
  const where = (body.container.message_ts as string | undefined) ?? body.view?.id ?? action.action_ts;
  return `press-${body.user.id}-${where}-${action.action_id}-${action.value ?? ""}`;
}

/**
 * A form submission's request id. A modal keeps its view id while it is open, so one submitted twice is one request;
 * a submission sent back with errors is not kept, so the corrected one runs.
 */
export const submitRequestId = (userId: string, viewId: string): string => `submit-${userId}-${viewId}`;
