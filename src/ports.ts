import type { FormView, MessageView } from "./views/view.ts";

/** Which chat platform a workspace lives on; delivery picks the matching ChatPort by this. */
export type Platform = "slack" | "teams" | "console";

/** A person on a platform, as the store keys them. */
export interface PersonRef {
  readonly platform: Platform;
  readonly workspaceId: string;
  readonly userId: string;
}

export interface ChannelRef {
  readonly platform: Platform;
  readonly workspaceId: string;
  readonly channelId: string;
}

/** Where a sent message lives, so it can be updated later. */
export interface MessageRef {
  readonly channelId: string;
  readonly messageId: string;
}

/** How a message is sent: `key` names it (the delivery's dedupe key), so it can be found again where it landed. */
export interface SendOptions {
  readonly key?: string;
}

/** What the bot can do in a chat platform. Adapters implement it; the domain never sees a platform SDK. */
export interface ChatPort {
  /** A platform that can tag a message (Slack: its metadata) tags it with `options.key`; others ignore it. */
  sendToPerson(person: PersonRef, view: MessageView, options?: SendOptions): Promise<MessageRef>;
  postToChannel(channel: ChannelRef, view: MessageView, options?: SendOptions): Promise<MessageRef>;
  update(ref: MessageRef & { workspaceId: string }, view: MessageView): Promise<void>;
  /**
   * The message sent with `key` to this person or channel no earlier than `since`, if the platform has one. Delivery
   * asks before sending again a message whose last send was cut short (the worker died): the platform may have taken
   * it. A platform without it (the console) has the message sent again.
   */
  findPosted?(to: PersonRef | ChannelRef, key: string, since: Date): Promise<MessageRef | undefined>;
}

/** A platform's own user directory. */
export interface PersonProfile {
  readonly displayName: string;
  /** IANA zone from the platform profile, when it has one. */
  readonly timeZone: string | null;
  /** Whether the platform makes them an admin of the workspace (Slack: admin or owner). */
  readonly isAdmin?: boolean;
}

/** A file the bot gives one person: their own export (CPD evidence), never anyone else's. */
export interface FileToSend {
  /** e.g. "debrief-reflections-2026-12-01.md" */
  readonly filename: string;
  readonly title: string;
  readonly content: string;
  /** A line sent with it. */
  readonly comment: string;
}

/** Where the person can find the file: Slack names our direct message, the console the path it wrote. */
export interface FileSent {
  readonly where: string;
}

/** How a platform hands a person a file (Slack: uploaded into our direct message; console: written to disk). */
export interface FileDrop {
  sendToPerson(person: PersonRef, file: FileToSend): Promise<FileSent>;
}

export interface Directory {
  profile(person: PersonRef): Promise<PersonProfile>;
}

/** Raised by a ChatPort when the platform asks us to slow down; delivery waits that long and tries again. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterMs: number, options?: ErrorOptions) {
    super(`rate limited; retry after ${retryAfterMs} ms`, options);
    this.name = new.target.name;
  }
}

/** Raised by a ChatPort when trying again can never succeed (channel gone, bot removed). */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type { FormView, MessageView };
