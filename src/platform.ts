import type { Route } from "./infra/http-server.ts";
import type { ChatPort, Directory, Platform } from "./ports.ts";

/** A conversation the bot sends to: a channel, or a person's direct message. */
export interface Conversation {
  readonly platform: Platform;
  readonly workspaceId: string;
  readonly kind: "channel" | "person";
  readonly id: string;
}

/** How fast the bot may send to one conversation: `perSecond` steady, with `burst` sends allowed back to back. */
export interface Pacing {
  readonly perSecond: number;
  readonly burst?: number;
}

/**
 * One chat platform behind one contract (STYLE.md): what it serves (HTTP routes, or a socket it opens in start), how
 * the bot speaks there (ChatPort), who people are there (Directory), and how fast it may post. The runtime loops over
 * the configured adapters; adding a platform adds an adapter, not branches.
 */
export interface PlatformAdapter {
  readonly platform: Platform;
  /** HTTP routes it serves (Slack: POST /slack/events; Teams: POST /api/messages); none for a socket or a terminal. */
  readonly routes: readonly Route[];
  readonly chat: ChatPort;
  readonly directory: Directory;
  /** The platform's own limit for one conversation (Slack: about 1 a second per channel; Teams: 7 a second). */
  pacing(conversation: Conversation): Pacing;
  /** Starts taking requests (checks credentials, opens a socket, opens the terminal). */
  start(): Promise<void>;
  /** Stops taking requests and waits for those in flight. */
  stop(): Promise<void>;
}
