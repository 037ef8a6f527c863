import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A local stand-in for Slack's side of the conversation: the Web API (`SLACK_API_URL` points here) and the
 * `response_url`s that slash commands and buttons reply through. It records every call so tests can see exactly
 * what a Slack user would have seen, and it can fail on demand the way Slack does (429 with Retry-After, 5xx,
 * platform errors).
 */

export interface SlackCall {
  method: string;
  /** The parsed body: form fields (JSON-looking values decoded, as the Web API client encodes them) or JSON. */
  body: Record<string, any>;
  token: string | null;
  at: number;
  /** How this call was failed on purpose, if it was. */
  failed?: Failure;
  /** When the answer was sent: later than `at` when the method is slowed down with `delay()`. */
  answeredAt?: number;
}

export interface ResponseUrlCall {
  id: string;
  body: Record<string, any>;
  at: number;
  answeredAt?: number;
}

/** A file uploaded through files.getUploadURLExternal, the upload URL and files.completeUploadExternal. */
export interface UploadedFile {
  readonly id: string;
  /** Where completeUploadExternal shared it (a DM's D… id). */
  readonly channelId: string;
  readonly filename: string;
  readonly title: string;
  /** The message sent with it (`initial_comment`). */
  readonly comment: string;
  /** The bytes uploaded, read as UTF-8. */
  readonly content: string;
  readonly bytes: Buffer;
}

/** A message chat.postMessage posted, as conversations.history gives it back. */
export interface PostedMessage {
  /** Where it landed: the channel, or for a user id the app's DM with them (D…). */
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: unknown;
  /** The message metadata it was posted with (`{ event_type, event_payload }`), if any. */
  readonly metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export type Failure =
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "http"; status: number }
  | { kind: "platform"; error: string };

export interface FakeSlackOptions {
  /** Display names by user id for users.info; others get one made from their id. */
  displayNames?: Record<string, string>;
  teamId?: string;
  /** Users that users.info says are workspace admins (is_admin); by default UADMIN and U0SETUP. */
  admins?: readonly string[];
}

export interface FakeSlack {
  /** Web API base URL, ending in `/`, for SLACK_API_URL. */
  readonly url: string;
  readonly origin: string;
  readonly calls: SlackCall[];
  readonly responses: ResponseUrlCall[];
  readonly displayNames: Map<string, string>;
  /** Users that users.info says are workspace admins. */
  readonly admins: Set<string>;
  /** Users that users.info says are workspace owners (is_owner), none by default. */
  readonly owners: Set<string>;
  /** Calls to one method that Slack answered ok. */
  callsTo(method: string): SlackCall[];
  /** Attempts at one method, including those failed on purpose. */
  attemptsAt(method: string): SlackCall[];
  /** Files shared by files.completeUploadExternal, in the order they were completed. */
  files(): UploadedFile[];
  /**
   * Messages chat.postMessage posted, oldest first, which conversations.history reads (newest first, after `oldest`,
   * with their metadata when asked for `include_all_metadata`). A post is kept as it arrives, even one slowed down with
   * `delay()` whose caller dies before the answer: Slack has taken it. `post` adds one, as if posted earlier.
   */
  readonly messages: PostedMessage[];
  post(message: Omit<PostedMessage, "ts"> & { ts?: string }): PostedMessage;
  /** A response_url of this fake; replies posted to it are kept under `id`. */
  responseUrl(id: string): string;
  responsesTo(id: string): ResponseUrlCall[];
  /**
   * The next `count` calls to `method` (or "response_url": any reply; "upload_url": any POST of a file's bytes) fail
   * this way, then calls succeed again.
   */
  failNext(method: string, count: number, failure: Failure): void;
  /**
   * Answers every call to `method` (a Web API method, or "response_url" for replies) `ms` after it arrives, as a slow
   * Slack would; the call is recorded on arrival. `delay(method, 0)` answers at once again.
   */
  delay(method: string, ms: number): void;
  /**
   * Socket Mode: `apps.connections.open` hands out a WebSocket URL of this fake, which greets each client with
   * `hello`. `send` delivers an envelope to the connected app and resolves with the payload it acknowledges with.
   */
  readonly socketMode: {
    connections(): number;
    send(type: "slash_commands" | "interactive" | "events_api", payload: Record<string, any>, timeoutMs?: number): Promise<Record<string, any>>;
  };
  /** Waits until `probe` returns something truthy, checking as calls arrive. */
  waitFor<T>(probe: () => T | undefined | null | false | 0, timeoutMs?: number): Promise<T>;
  /** Waits for at least `count` successful calls to `method`, and gives them all. */
  waitForCalls(method: string, count?: number, timeoutMs?: number): Promise<SlackCall[]>;
  /** Waits for at least `count` replies posted to the response_url `id`, and gives them all. */
  waitForResponses(id: string, count?: number, timeoutMs?: number): Promise<ResponseUrlCall[]>;
  reset(): void;
  close(): Promise<void>;
}

export const BOT_USER_ID = "UBOT0001";
export const BOT_ID = "BBOT0001";

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = options.teamId ?? "T0001";
  const calls: SlackCall[] = [];
  const responses: ResponseUrlCall[] = [];
  const failures = new Map<string, Failure[]>();
  const delays = new Map<string, number>();
  const displayNames = new Map(Object.entries(options.displayNames ?? {}));
  const admins = new Set(options.admins ?? ["UADMIN", "U0SETUP"]);
  const owners = new Set<string>();
  // Files between getUploadURLExternal and completeUploadExternal, by id; `bytes` is set once they are POSTed.
  const uploads = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
  const files: UploadedFile[] = [];
  const messages: PostedMessage[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;

  const notify = () => waiters.forEach((w) => w());

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(err));
    });
  });

  // Socket Mode, as Slack runs it: the app opens a WebSocket, Slack says hello, then sends envelopes the app acks.
  const sockets = new WebSocketServer({ noServer: true });
  const open = new Set<WebSocket>();
  const acks = new Map<string, (payload: Record<string, any>) => void>();
  server.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://fake").pathname !== "/socket-mode") return socket.destroy();
    sockets.handleUpgrade(req, socket, head, (ws) => {
      open.add(ws);
      ws.on("close", () => open.delete(ws));
      ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, any> };
        if (message.envelope_id) acks.get(message.envelope_id)?.(message.payload ?? {});
      });
      ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake-slack" }, connection_info: { app_id: "A0DEBRIEF" } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const bytes = await readBody(req);
    if (req.method === "POST" && path.startsWith("/upload/")) {
      await receiveUpload(decodeURIComponent(path.slice("/upload/".length)), bytes, req.headers["content-type"] ?? "", res);
      return;
    }
    const body = parseBody(bytes.toString("utf8"), req.headers["content-type"] ?? "");
    if (req.method === "POST" && path.startsWith("/respond/")) {
      // A reply refused on purpose is not kept: responses are what the user saw.
      const refused = failures.get("response_url")?.shift();
      if (refused) {
        res.writeHead(refused.kind === "http" ? refused.status : 404, { "content-type": "text/plain" }).end(refused.kind === "platform" ? refused.error : "internal_error");
        return;
      }
      const response: ResponseUrlCall = { id: decodeURIComponent(path.slice("/respond/".length)), body, at: Date.now() };
      responses.push(response);
      notify();
      await slowly("response_url");
      response.answeredAt = Date.now();
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (req.method !== "POST" || !path.startsWith("/api/")) {
      res.writeHead(404).end();
      return;
    }
    const method = path.slice("/api/".length);
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : typeof body.token === "string" ? body.token : null;
    const call: SlackCall = { method, body, token, at: Date.now() };
    const failure = failures.get(method)?.shift();
    if (failure) call.failed = failure;
    calls.push(call);
    notify();
    // A post lands on arrival, however long its answer takes: a caller that dies meanwhile has posted it all the same.
    const answered = method === "chat.postMessage" ? answer(method, body, token, failure) : undefined;
    await slowly(method);
    call.answeredAt = Date.now();
    if (failure?.kind === "rate_limited") {
      res.writeHead(429, { "retry-after": String(failure.retryAfterSeconds), "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    if (failure?.kind === "http") {
      res.writeHead(failure.status, { "content-type": "text/plain" }).end("upstream trouble");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answered ?? answer(method, body, token, failure)));
  }

  function answer(method: string, body: Record<string, any>, token: string | null, failure: Failure | undefined): Record<string, unknown> {
    if (failure?.kind === "rate_limited" || failure?.kind === "http") return {};
    if (failure?.kind === "platform") return { ok: false, error: failure.error };
    return token ? api(method, body) : { ok: false, error: "not_authed" };
  }

  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`;

  /** A DM's channel for a user id (the app's DM with them), else the channel itself. */
  const channelOf = (id: string) => (/^[UW]/.test(id) ? `D${id.slice(1)}` : id);

  /**
   * conversations.history: newest first, only messages after `oldest` (exclusive, as Slack's default), `limit` a page
   * with a cursor for the next; metadata only with include_all_metadata.
   */
  function history(body: Record<string, any>): Record<string, unknown> {
    const channel = String(body.channel ?? "");
    if (!channel) return { ok: false, error: "channel_not_found" };
    const oldest = body.oldest === undefined ? 0 : Number(body.oldest);
    const latest = body.latest === undefined ? Infinity : Number(body.latest);
    const withMetadata = body.include_all_metadata === true || body.include_all_metadata === "true";
    const limit = Math.max(1, Math.min(1000, Number(body.limit ?? 100) || 100));
    const start = body.cursor ? Number(String(body.cursor).replace(/^next_ts:/, "")) : 0;
    const all = messages
      .filter((m) => m.channel === channel && Number(m.ts) > oldest && Number(m.ts) < latest)
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const page = all.slice(start, start + limit).map((m) => ({
      type: "message",
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      ts: m.ts,
      text: m.text,
      ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    }));
    const more = start + limit < all.length;
    return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? `next_ts:${start + limit}` : "" } };
  }

  function post(message: Omit<PostedMessage, "ts"> & { ts?: string }): PostedMessage {
    const kept = { ...message, ts: message.ts ?? nextTs() };
    messages.push(kept);
    return kept;
  }

  /**
   * The upload_url step: Slack takes the file's bytes raw or as the one file of a multipart form (the Web API client
   * sends the latter), and answers 200 with plain text. Bytes that differ from the length declared for the file are
   * refused, so a length counted in characters instead of bytes shows up here.
   */
  async function receiveUpload(id: string, raw: Buffer, contentType: string, res: ServerResponse): Promise<void> {
    const refused = failures.get("upload_url")?.shift();
    if (refused) {
      if (refused.kind === "rate_limited") res.writeHead(429, { "retry-after": String(refused.retryAfterSeconds), "content-type": "text/plain" });
      else res.writeHead(refused.kind === "http" ? refused.status : 400, { "content-type": "text/plain" });
      res.end(refused.kind === "platform" ? refused.error : "upload refused");
      return;
    }
    const upload = uploads.get(id);
    if (!upload) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no such upload");
      return;
    }
    const data = contentType.includes("multipart/form-data") ? await fileInForm(raw, contentType) : raw;
    if (!data || data.length !== upload.length) {
      res.writeHead(400, { "content-type": "text/plain" }).end(`expected ${upload.length} bytes, got ${data?.length ?? "no file"}`);
      return;
    }
    upload.bytes = data;
    notify();
    await slowly("upload_url");
    res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${data.length}`);
  }

  function completeUploads(body: Record<string, any>): Record<string, unknown> {
    const wanted = Array.isArray(body.files) ? (body.files as { id?: unknown; title?: unknown }[]) : [];
    if (wanted.length === 0) return { ok: false, error: "invalid_arguments" };
    const ready = wanted.map((f) => ({ f, upload: uploads.get(String(f.id)) }));
    // An id never handed out, or one whose bytes never arrived, shares nothing.
    if (ready.some(({ upload }) => !upload?.bytes)) return { ok: false, error: "file_not_found" };
    const shared = ready.map(({ f, upload }) => {
      const id = String(f.id);
      uploads.delete(id);
      const bytes = upload!.bytes!;
      const title = typeof f.title === "string" ? f.title : upload!.filename;
      const comment = String(body.initial_comment ?? "");
      files.push({ id, channelId: String(body.channel_id ?? ""), filename: upload!.filename, title, comment, content: bytes.toString("utf8"), bytes });
      return { id, name: upload!.filename, title, size: bytes.length };
    });
    return { ok: true, files: shared };
  }

  async function slowly(method: string): Promise<void> {
    const ms = delays.get(method);
    if (ms) await sleep(ms);
  }

  function api(method: string, body: Record<string, any>): Record<string, unknown> {
    const ts = nextTs;
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://example.slack.com/", team: "Example", user: "debrief", team_id: teamId, user_id: BOT_USER_ID, bot_id: BOT_ID };
      case "chat.postMessage": {
        // A user id as the channel means the app's DM with that person, which Slack answers with a D… channel.
        const channel = channelOf(String(body.channel));
        const metadata = body.metadata && typeof body.metadata === "object" ? (body.metadata as PostedMessage["metadata"]) : undefined;
        const { ts: messageTs } = post({ channel, text: String(body.text ?? ""), blocks: body.blocks, ...(metadata ? { metadata } : {}) });
        return { ok: true, channel, ts: messageTs, message: { type: "message", text: body.text, blocks: body.blocks, user: BOT_USER_ID, bot_id: BOT_ID, ts: messageTs } };
      }
      case "conversations.history":
        return history(body);
      case "chat.update":
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: ts() };
      case "views.open":
      case "views.publish":
      case "views.update":
      case "views.push":
        return { ok: true, view: { ...(body.view ?? {}), id: `V${String(++seq).padStart(8, "0")}`, team_id: teamId, hash: `${Date.now()}.abc` } };
      case "users.info": {
        const id = String(body.user);
        const displayName = displayNames.get(id) ?? "";
        return {
          ok: true,
          user: {
            id,
            team_id: teamId,
            name: id.toLowerCase(),
            real_name: displayName || `Person ${id}`,
            tz: "Europe/London",
            tz_label: "Greenwich Mean Time",
            tz_offset: 0,
            is_bot: false,
            is_admin: admins.has(id),
            is_owner: owners.has(id),
            profile: { display_name: displayName, real_name: displayName || `Person ${id}` },
          },
        };
      }
      case "conversations.info": {
        const id = String(body.channel);
        return { ok: true, channel: { id, name: `channel-${id.toLowerCase()}`, is_channel: true, is_private: false, is_member: true, is_archived: false } };
      }
      case "apps.connections.open": {
        const { port } = server.address() as AddressInfo;
        return { ok: true, url: `ws://127.0.0.1:${port}/socket-mode` };
      }
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(body.users ?? "").slice(1)}` } };
      case "files.getUploadURLExternal": {
        const length = Number(body.length);
        if (!body.filename || !Number.isInteger(length) || length < 0) return { ok: false, error: "invalid_arguments" };
        const id = `F${String(++seq).padStart(8, "0")}`;
        uploads.set(id, { filename: String(body.filename), length });
        const { port } = server.address() as AddressInfo;
        return { ok: true, upload_url: `http://127.0.0.1:${port}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return completeUploads(body);
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  function waitFor<T>(probe: () => T | undefined | null | false | 0, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (!found) return false;
        done();
        resolve(found);
        return true;
      };
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        waiters.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake Slack: nothing matched within ${timeoutMs} ms (${calls.length} API calls, ${responses.length} responses)`));
      }, timeoutMs);
      // Calls wake the check at once; the poll catches conditions that depend on other things (e.g. the database).
      const poll = setInterval(check, 50);
      waiters.add(check);
      check();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    responses,
    displayNames,
    admins,
    owners,
    files: () => [...files],
    messages,
    post,
    callsTo: (method) => calls.filter((c) => c.method === method && !c.failed),
    attemptsAt: (method) => calls.filter((c) => c.method === method),
    responseUrl: (id) => `${origin}/respond/${encodeURIComponent(id)}`,
    responsesTo: (id) => responses.filter((r) => r.id === id),
    failNext(method, count, failure) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < count; i++) queue.push(failure);
      failures.set(method, queue);
    },
    delay(method, ms) {
      if (ms > 0) delays.set(method, ms);
      else delays.delete(method);
    },
    waitForCalls(method, count = 1, timeoutMs) {
      return waitFor(() => {
        const found = calls.filter((c) => c.method === method && !c.failed);
        return found.length >= count && found;
      }, timeoutMs);
    },
    waitForResponses(id, count = 1, timeoutMs) {
      return waitFor(() => {
        const found = responses.filter((r) => r.id === id);
        return found.length >= count && found;
      }, timeoutMs);
    },
    socketMode: {
      connections: () => open.size,
      send(type, payload, timeoutMs = 5000) {
        const [ws] = open;
        if (!ws) return Promise.reject(new Error("fake Slack: no app is connected over Socket Mode"));
        const envelopeId = `env-${++seq}`;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            acks.delete(envelopeId);
            reject(new Error(`fake Slack: envelope ${envelopeId} (${type}) was not acknowledged within ${timeoutMs} ms`));
          }, timeoutMs);
          acks.set(envelopeId, (ack) => {
            clearTimeout(timer);
            acks.delete(envelopeId);
            resolve(ack);
          });
          ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api" }));
        });
      },
    },
    waitFor,
    reset() {
      calls.length = 0;
      responses.length = 0;
      uploads.clear();
      files.length = 0;
      messages.length = 0;
      failures.clear();
      delays.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const ws of open) ws.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The one file in a multipart form, whatever its field is called; undefined if there is none. */
async function fileInForm(raw: Buffer, contentType: string): Promise<Buffer | undefined> {
  const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData();
  for (const value of form.values()) {
    if (typeof value !== "string") return Buffer.from(await value.arrayBuffer());
  }
  return undefined;
}

function parseBody(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
  if (contentType.includes("application/json")) return JSON.parse(raw) as Record<string, any>;
  const out: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return out;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
