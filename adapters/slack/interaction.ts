import type { SlashCommand } from "@slack/bolt";
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
    // Unique to each time a command is typed, so a queued command run twice logs once.
    requestId: command.trigger_id,
  };
}
