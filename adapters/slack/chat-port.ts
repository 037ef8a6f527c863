import { webApi } from "@slack/bolt";
import {
  PermanentDeliveryError,
  RateLimitedError,
  type ChannelRef,
  type ChatPort,
  type MessageRef,
  type PersonRef,
} from "../../src/ports.ts";
import type { MessageView } from "../../src/views/view.ts";
import { toMessage } from "./render.ts";

/**
 * Platform errors that no retry can mend: the channel or person is gone, the bot was removed or never invited, or
 * Slack refuses the message itself. Delivery gives up on these instead of retrying for hours.
 */
const PERMANENT = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "account_inactive",
  "token_revoked",
  "user_not_found",
  "user_disabled",
  "cannot_dm_bot",
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_non_threadable_channel",
  "team_access_not_granted",
  "invalid_blocks",
  "msg_too_long",
  "no_text",
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
]);

/** Sends Debrief's own messages (announcements, DMs to the lead, prompts) through the Slack Web API. */
export class SlackChatPort implements ChatPort {
  constructor(private readonly client: webApi.WebClient) {}

  postToChannel(channel: ChannelRef, view: MessageView): Promise<MessageRef> {
    return this.post(channel.channelId, view);
  }

  /** A user id as the channel posts to the person's DM with the app (its Messages tab), with no conversations.open. */
  sendToPerson(person: PersonRef, view: MessageView): Promise<MessageRef> {
    return this.post(person.userId, view);
  }

  async update(ref: MessageRef & { workspaceId: string }, view: MessageView): Promise<void> {
    await slackCall(() =>
      this.client.chat.update({ channel: ref.channelId, ts: ref.messageId, ...toMessage(view) }),
    );
  }

  private async post(channel: string, view: MessageView): Promise<MessageRef> {
    const result = await slackCall(() =>
      this.client.chat.postMessage({
        channel,
        ...toMessage(view),
        // Previews of links a user typed would repeat their text outside our escaping and limits.
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!result.channel || !result.ts) throw new Error("chat.postMessage answered ok without channel and ts");
    return { channelId: result.channel, messageId: result.ts };
  }
}

/** Runs one Web API call, turning Slack's errors into the ones delivery understands. */
export async function slackCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw deliveryError(err);
  }
}

export function deliveryError(err: unknown): unknown {
  if (!(err instanceof Error) || !("code" in err)) return err;
  if (err.code === webApi.ErrorCode.RateLimitedError) {
    const seconds = (err as webApi.WebAPIRateLimitedError).retryAfter;
    return new RateLimitedError(Math.max(1, seconds) * 1000, { cause: err });
  }
  if (err.code === webApi.ErrorCode.PlatformError) {
    const code = (err as webApi.WebAPIPlatformError).data.error;
    if (PERMANENT.has(code)) return new PermanentDeliveryError(`Slack refused the message: ${code}`, { cause: err });
  }
  return err;
}
