import type { AnnouncementSeen, ReplySeen, Seen } from "./fake-slack-server.ts";
import type { Child } from "./ipc.ts";
import type { FakeSlackInfo } from "./targets.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** The parent's view of what the fake Slack received, sorted by the phase (tag) each request belonged to. */
export class SlackObserver {
  private readonly replies = new Map<string, ReplySeen[]>();
  private readonly announcements = new Map<string, AnnouncementSeen[]>();
  readonly apiCalls: Record<string, number> = {};
  /** Replies that were not the one a user wants, by text: why a phase failed, when it did. */
  readonly otherReplies: Record<string, number> = {};
  /** Channel posts that named no request of ours: there should be none. */
  unmatchedAnnouncements = 0;

  constructor(private readonly fake: Child<FakeSlackInfo>) {}

  /** Fetches what arrived since the last poll; returns how many replies and announcements that was. */
  async poll(): Promise<number> {
    const seen = await this.fake.call<Seen>("collect");
    for (const r of seen.replies) push(this.replies, tagOf(r.id), r);
    for (const a of seen.announcements) {
      if (a.id) push(this.announcements, tagOf(a.id), a);
      else this.unmatchedAnnouncements++;
    }
    for (const [method, n] of Object.entries(seen.apiCalls)) this.apiCalls[method] = (this.apiCalls[method] ?? 0) + n;
    for (const [text, n] of Object.entries(seen.otherReplies)) this.otherReplies[text] = (this.otherReplies[text] ?? 0) + n;
    return seen.replies.length + seen.announcements.length;
  }

  repliesFor(tag: string): ReplySeen[] {
    return this.replies.get(tag) ?? [];
  }

  announcementsFor(tag: string): AnnouncementSeen[] {
    return this.announcements.get(tag) ?? [];
  }

  /** Polls until `done()` holds, nothing new has arrived for `quietMs`, or `timeoutMs` has passed. */
  async waitUntil(done: () => boolean, { quietMs, timeoutMs }: { quietMs: number; timeoutMs: number }): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastNews = Date.now();
    for (;;) {
      if ((await this.poll()) > 0) lastNews = Date.now();
      if (done() || Date.now() - lastNews > quietMs || Date.now() > deadline) return;
      await sleep(250);
    }
  }
}

const tagOf = (id: string): string => id.slice(0, id.lastIndexOf("."));

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
