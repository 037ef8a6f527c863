import { pino, type Logger } from "pino";
import type { DeliveryScheduler } from "../../src/delivery/outbox.ts";
import type { Interaction } from "../../src/interaction.ts";
import type { Directory, PersonProfile, PersonRef, Platform } from "../../src/ports.ts";

/** The workspace and team channel the core tests act in unless they say otherwise. */
export const WORKSPACE = "T1";
export const TEAM_CHANNEL = "CTEAM";
export const PLATFORM: Platform = "slack";

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLog: Logger = pino({ level: "silent" });

/**
 * A platform directory: every user exists, named by their id unless given a name, in the given zone.
 * Users listed in `missing` are unknown, as a deleted or mistyped user would be.
 */
export class FakeDirectory implements Directory {
  readonly lookups: string[] = [];
  readonly names = new Map<string, string>();
  readonly missing = new Set<string>();
  /** Users the platform makes workspace admins. */
  readonly admins = new Set<string>();

  constructor(private readonly timeZone: string | null = "Europe/London") {}

  async profile(person: PersonRef): Promise<PersonProfile> {
    this.lookups.push(person.userId);
    if (this.missing.has(person.userId)) throw new Error(`user_not_found: ${person.userId}`);
    return { displayName: this.names.get(person.userId) ?? person.userId, timeZone: this.timeZone, isAdmin: this.admins.has(person.userId) };
  }
}

/** The delivery queue's front door, recording every id it is asked to queue (nothing is sent). */
export class FakeScheduler implements DeliveryScheduler {
  readonly scheduled: string[] = [];

  async schedule(deliveryIds: readonly string[]): Promise<void> {
    this.scheduled.push(...deliveryIds);
  }
}

/** Someone acting in a channel (the team channel by default), or in a direct message when channel is null. */
export function interaction(user: string, channel: string | null = TEAM_CHANNEL, channelName?: string): Interaction {
  return {
    actor: { platform: PLATFORM, workspaceId: WORKSPACE, userId: user },
    channel: channel === null ? null : { platform: PLATFORM, workspaceId: WORKSPACE, channelId: channel },
    ...(channelName === undefined ? {} : { channelName }),
  };
}
