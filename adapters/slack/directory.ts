import type { webApi } from "@slack/bolt";
import type { Directory, PersonProfile, PersonRef } from "../../src/ports.ts";
import { slackCall } from "./chat-port.ts";

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/**
 * People's names and time zones from Slack profiles (users.info). A short cache keeps a burst of prompts or
 * announcements from spending the Tier 4 budget on the same people, while a renamed person shows up within minutes.
 */
export class SlackDirectory implements Directory {
  private readonly cache = new Map<string, { expires: number; profile: Promise<PersonProfile> }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  profile(person: PersonRef): Promise<PersonProfile> {
    const key = `${person.workspaceId}/${person.userId}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return hit.profile;
    // The promise is cached, so people asked for at once cost one call; a failure is dropped so the next ask retries.
    const profile = this.lookup(person.userId);
    profile.catch(() => {
      if (this.cache.get(key)?.profile === profile) this.cache.delete(key);
    });
    this.cache.delete(key);
    this.cache.set(key, { expires: this.now() + TTL_MS, profile });
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return profile;
  }

  private async lookup(userId: string): Promise<PersonProfile> {
    const { user } = await slackCall(() => this.client.users.info({ user: userId }));
    const name = [user?.profile?.display_name, user?.profile?.real_name, user?.real_name, user?.name].find((n) => n?.trim());
    return { displayName: name ?? userId, timeZone: user?.tz || null, isAdmin: Boolean(user?.is_admin || user?.is_owner) };
  }
}
