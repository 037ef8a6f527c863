import { startFakeSlack } from "../../test/support/fake-slack.ts";
import { serveParent } from "./ipc.ts";
import { REQUEST_ID_IN_TEXT } from "./workload.ts";

/**
 * The tests' fake Slack (Web API and response_urls) in a process of its own, so answering Debrief's replies and
 * posts takes no time from the server or the load generator. It keeps only what the bench needs from each call.
 */

export interface ReplySeen {
  /** The request id the reply was sent for (the response_url's last segment). */
  id: string;
  at: number;
  /** Whether it is the reply a user wants: the incident logged, or the team space set up. */
  ok: boolean;
}

export interface AnnouncementSeen {
  /** The request id found in the summary, or null if the post carried none. */
  id: string | null;
  channel: string;
  at: number;
}

export interface Seen {
  replies: ReplySeen[];
  announcements: AnnouncementSeen[];
  /** Every Web API call answered ok, by method. */
  apiCalls: Record<string, number>;
  /** Replies that were not ok, by their text, so a failing run says why. */
  otherReplies: Record<string, number>;
}

// A refusal ("Only an admin … can make a channel a team space") must not pass for a team set up.
const OK_REPLY = /^Logged INC-\d+|^This channel is (now|already) the team space/;
const fake = await startFakeSlack();

let seen: Seen = { replies: [], announcements: [], apiCalls: {}, otherReplies: {} };

/** Moves what the fake recorded into compact tallies and empties it, so its memory stays flat over thousands of calls. */
function drain(): void {
  for (const r of fake.responses) {
    const text = String(r.body.text ?? "");
    const ok = OK_REPLY.test(text);
    seen.replies.push({ id: r.id, at: r.at, ok });
    if (!ok) seen.otherReplies[text.slice(0, 120)] = (seen.otherReplies[text.slice(0, 120)] ?? 0) + 1;
  }
  for (const call of fake.calls) {
    if (call.failed) continue;
    seen.apiCalls[call.method] = (seen.apiCalls[call.method] ?? 0) + 1;
    if (call.method === "chat.postMessage" && String(call.body.channel).startsWith("C")) {
      const id = REQUEST_ID_IN_TEXT.exec(String(call.body.text ?? ""))?.[1] ?? null;
      seen.announcements.push({ id, channel: String(call.body.channel), at: call.at });
    }
  }
  fake.reset();
}

const timer = setInterval(drain, 250);

serveParent(
  { url: fake.url, responseUrlPrefix: fake.responseUrl("") },
  {
    /** Everything seen since the last collect. */
    collect(): Seen {
      drain();
      const out = seen;
      seen = { replies: [], announcements: [], apiCalls: {}, otherReplies: {} };
      return out;
    },
  },
  async () => {
    clearInterval(timer);
    await fake.close();
  },
);
