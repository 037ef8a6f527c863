import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { InboundPort } from "./core/inbound.ts";
import type { Route } from "./infra/http-server.ts";
import type { CommandAnswerer } from "./interaction.ts";
import type { ChatPort, Directory, FileDrop, Platform } from "./ports.ts";

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
 * the configured adapters; adding a platform adds an adapter and an entry in src/main.ts, not branches.
 */
export interface PlatformAdapter {
  readonly platform: Platform;
  /** HTTP routes it serves (Slack: POST /slack/events; Teams: POST /api/messages); none for a socket or a terminal. */
  readonly routes: readonly Route[];
  readonly chat: ChatPort;
  readonly directory: Directory;
  /** How it hands a person a file of their own (an export). */
  readonly files: FileDrop;
  /** The platform's own limit for one conversation (Slack: about 1 a second per channel). */
  pacing(conversation: Conversation): Pacing;
  /** Answers, in a worker, a command its web process queued; only platforms that can answer later have one. */
  readonly answerQueued?: CommandAnswerer;
  /** A terminal the process runs in the foreground: the process then serves no HTTP (the console). */
  readonly foreground?: boolean;
  /** Starts taking requests from people (web role): checks credentials, opens a socket, opens the terminal. */
  start(): Promise<void>;
  /** Stops taking requests and waits for those in flight. */
  stop(): Promise<void>;
  /** Resolves when the platform's session ends by itself (the console, at the end of input); absent for servers. */
  readonly finished?: Promise<void>;
}

/** What an adapter is built from: the core's inbound port, the configuration, and, for a terminal, the terminal. */
export interface AdapterContext {
  readonly inbound: InboundPort;
  readonly config: Config;
  readonly log: Logger;
  readonly terminal?: { input: Readable; output: Writable; user: string };
}

/** A platform as the entry point lists it: when it is configured, and how to build its adapter (loaded only then). */
export interface PlatformEntry {
  readonly platform: Platform;
  configured(config: Config): boolean;
  create(context: AdapterContext): Promise<PlatformAdapter>;
}
