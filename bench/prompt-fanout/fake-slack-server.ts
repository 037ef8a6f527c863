import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { serveParent } from "../ack-latency/ipc.ts";
import { NO_LIMITS, type Limits } from "./shared.ts";

/**
 * The Slack Web API as the prompt bench needs it, in a process of its own: `auth.test` and `chat.postMessage` answered
 * as the tests' fake Slack (test/support/fake-slack.ts) answers them, and, when asked, Slack's rate limits on
 * `chat.postMessage`: a per-conversation limit and a workspace-wide one, both answered with HTTP 429 and a
 * Retry-After in whole seconds, as Slack does. It keeps only when each direct message arrived, and for whom.
 */

export interface SlackProgress {
  /** chat.postMessage calls answered ok. */
  delivered: number;
  /** Answered 429: over the conversation's limit, or the workspace's. */
  limitedConversation: number;
  limitedWorkspace: number;
  /** When the last ok chat.postMessage arrived (epoch ms), or null. */
  lastAt: number | null;
}

export interface Seen extends SlackProgress {
  /** Every ok chat.postMessage: the channel it named (a user id for a DM) and when it arrived, epoch ms. */
  posts: { channel: string; at: number }[];
  /** Every Web API call, answered ok or not, by method. */
  calls: Record<string, number>;
  /** What the messages said, a few of them, so a run can show what was sent. */
  sample: string[];
}

const BOT_USER_ID = "UBOT0001";
const BOT_ID = "BBOT0001";
const TEAM_ID = "T0001";

// Sub-millisecond wall-clock time, comparable across the bench's processes.
const now = () => performance.timeOrigin + performance.now();

/** A token bucket: `rate` tokens a millisecond up to `burst`; take() says 0 when one was taken, else the wait in ms. */
class Bucket {
  private tokens: number;
  private at: number;
  /** Full at `at`. */
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    at: number,
  ) {
    this.tokens = burst;
    this.at = at;
  }
  waitMs(t: number): number {
    if (t > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + (t - this.at) * this.rate);
      this.at = t;
    }
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.rate;
  }
  take(): void {
    this.tokens -= 1;
  }
}

let limits: Limits = NO_LIMITS;
let workspace: Bucket | null = null;
const conversations = new Map<string, Bucket>();
let seen: Seen = empty();
let seq = 0;

function empty(): Seen {
  return { delivered: 0, limitedConversation: 0, limitedWorkspace: 0, lastAt: null, posts: [], calls: {}, sample: [] };
}

function configure(next: Limits): void {
  limits = next;
  workspace = next.workspacePerMinute ? new Bucket(next.workspacePerMinute / 60_000, Math.max(1, next.workspaceBurst), now()) : null;
  conversations.clear();
  seen = empty();
}

/** Whether the call may go now; if not, the whole seconds Slack would say to wait in Retry-After. */
function admit(channel: string, t: number): { ok: true } | { ok: false; retryAfterS: number; by: "conversation" | "workspace" } {
  let conversation: Bucket | undefined;
  if (limits.perConversationPerSecond) {
    conversation = conversations.get(channel);
    if (!conversation) {
      conversation = new Bucket(limits.perConversationPerSecond / 1000, Math.max(1, limits.perConversationBurst), t);
      conversations.set(channel, conversation);
    }
    const wait = conversation.waitMs(t);
    if (wait > 0) return { ok: false, retryAfterS: Math.max(1, Math.ceil(wait / 1000)), by: "conversation" };
  }
  if (workspace) {
    const wait = workspace.waitMs(t);
    if (wait > 0) return { ok: false, retryAfterS: Math.max(1, Math.ceil(wait / 1000)), by: "workspace" };
    workspace.take();
  }
  conversation?.take();
  return { ok: true };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes("application/json")) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://fake").pathname;
  const body = parseBody(await readBody(req), req.headers["content-type"] ?? "");
  const t = now();
  if (req.method !== "POST" || !path.startsWith("/api/")) {
    res.writeHead(404).end();
    return;
  }
  const method = path.slice("/api/".length);
  seen.calls[method] = (seen.calls[method] ?? 0) + 1;
  const authorised = (req.headers.authorization ?? "").startsWith("Bearer ") || typeof body.token === "string";
  if (!authorised) return json(res, 200, { ok: false, error: "not_authed" });
  switch (method) {
    case "auth.test":
      return json(res, 200, { ok: true, url: "https://example.slack.com/", team: "Example", user: "debrief", team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID });
    case "chat.postMessage": {
      const channel = String(body.channel ?? "");
      // A user id as the channel means the app's DM with that person: Slack answers with its D… channel, and limits it
      // as that conversation.
      const dm = /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
      const admitted = admit(dm, t);
      if (process.env.BENCH_FAKE_TRACE) console.log(JSON.stringify({ dm, t: Math.round(t), ok: admitted.ok, by: admitted.ok ? null : admitted.by, ra: admitted.ok ? null : admitted.retryAfterS }));
      if (!admitted.ok) {
        if (admitted.by === "workspace") seen.limitedWorkspace++;
        else seen.limitedConversation++;
        return json(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(admitted.retryAfterS) });
      }
      seen.delivered++;
      seen.lastAt = t;
      seen.posts.push({ channel, at: t });
      if (seen.sample.length < 2) seen.sample.push(String(body.text ?? ""));
      const ts = `${Math.floor(t / 1000)}.${String(++seq).padStart(6, "0")}`;
      return json(res, 200, { ok: true, channel: dm, ts, message: { type: "message", text: body.text, user: BOT_USER_ID, bot_id: BOT_ID, ts } });
    }
    default:
      return json(res, 200, { ok: false, error: "unknown_method" });
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(err)));
});
// Many keep-alive sockets from one client; no request should wait on the server's own limits.
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

serveParent(
  { url: `http://127.0.0.1:${port}/api/` },
  {
    /** Sets the limits and forgets everything seen so far: the start of a scenario. */
    configure: (next: Limits) => configure(next),
    progress: (): SlackProgress => ({ delivered: seen.delivered, limitedConversation: seen.limitedConversation, limitedWorkspace: seen.limitedWorkspace, lastAt: seen.lastAt }),
    collect: (): Seen => seen,
  },
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
