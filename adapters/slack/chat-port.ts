import { webApi } from "@slack/bolt";
import {
  PermanentDeliveryError,
  RateLimitedError,
  type ChannelRef,
  type ChatPort,
  type MessageRef,
  type PersonRef,
  type SendOptions,
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

/**
 * The message metadata event type that tags each message Debrief posts with its delivery's key (event_payload.key):
 * Slack has no idempotency key, so after a crash mid-send Debrief looks for the tag instead.
 */
export const DELIVERY_EVENT_TYPE = "debrief_delivery";

/** How far before the claim of a send in doubt its message is looked for: the clocks of Slack and the database differ. */
const LOOK_BEFORE_MS = 60_000;
/** conversations.history pages read looking for one message (100 messages each) before deciding it never arrived. */
const HISTORY_PAGES = 10;

/** Sends Debrief's own messages (announcements, DMs to the lead, prompts) through the Slack Web API. */
export class SlackChatPort implements ChatPort {
  constructor(private readonly client: webApi.WebClient) {}

  postToChannel(channel: ChannelRef, view: MessageView, options?: SendOptions): Promise<MessageRef> {
    return this.post(channel.channelId, view, options?.key);
  }

  /** A user id as the channel posts to the person's DM with the app (its Messages tab), with no conversations.open. */
  sendToPerson(person: PersonRef, view: MessageView, options?: SendOptions): Promise<MessageRef> {
    return this.post(person.userId, view, options?.key);
  }

  /**
   * Our message tagged with `key` in the channel, or in the person's DM with the app (which conversations.open names),
   * posted from a minute before `since` on. Reads only that stretch of history, newest first.
   */
  async findPosted(to: PersonRef | ChannelRef, key: string, since: Date): Promise<MessageRef | undefined> {
    const channel = "userId" in to ? await this.directMessageOf(to.userId) : to.channelId;
    const oldest = ((since.getTime() - LOOK_BEFORE_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const result = await slackCall(() =>
        this.client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 100, ...(cursor ? { cursor } : {}) }),
      );
      const found = result.messages?.find(
        (m) => m.metadata?.event_type === DELIVERY_EVENT_TYPE && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === key,
      );
      if (found?.ts) return { channelId: channel, messageId: found.ts };
      cursor = result.response_metadata?.next_cursor;
      if (!result.has_more || !cursor) return undefined;
    }
    return undefined;
  }

  async update(ref: MessageRef & { workspaceId: string }, view: MessageView): Promise<void> {
    await slackCall(() =>
      this.client.chat.update({ channel: ref.channelId, ts: ref.messageId, ...toMessage(view) }),
    );
  }

  private async directMessageOf(userId: string): Promise<string> {
    const result = await slackCall(() => this.client.conversations.open({ users: userId }));
    if (!result.channel?.id) throw new Error("conversations.open answered ok without a channel");
    return result.channel.id;
  }

  private async post(channel: string, view: MessageView, key: string | undefined): Promise<MessageRef> {
    const result = await slackCall(() =>
      this.client.chat.postMessage({
        channel,
        ...toMessage(view),
        // Previews of links a user typed would repeat their text outside our escaping and limits.
        unfurl_links: false,
        unfurl_media: false,
        ...(key === undefined ? {} : { metadata: { event_type: DELIVERY_EVENT_TYPE, event_payload: { key } } }),
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
