import type { ChannelRef, Platform, PersonRef } from "../ports.ts";

/**
 * Store keys qualify platform ids, so a Slack team and a Teams tenant can never collide:
 * workspace "slack:T1", person "slack:T1:U1".
 */
export const workspaceKey = (platform: Platform, workspaceId: string): string => `${platform}:${workspaceId}`;

export const personKey = (ref: PersonRef): string => `${ref.platform}:${ref.workspaceId}:${ref.userId}`;

export function personRefOf(row: { workspace_id: string; user_id: string }): PersonRef {
  const { platform, workspaceId } = splitWorkspaceKey(row.workspace_id);
  return { platform, workspaceId, userId: row.user_id };
}

export function splitWorkspaceKey(key: string): { platform: Platform; workspaceId: string } {
  const at = key.indexOf(":");
  return { platform: key.slice(0, at) as Platform, workspaceId: key.slice(at + 1) };
}

/** A channel in the same workspace as a person, e.g. the team channel of the one who reported. */
export const channelBeside = (person: PersonRef, channelId: string): ChannelRef => ({
  platform: person.platform,
  workspaceId: person.workspaceId,
  channelId,
});
