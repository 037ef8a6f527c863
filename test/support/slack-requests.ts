import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Requests shaped and signed exactly as Slack sends them, built from the sample payloads in test/fixtures/slack.
 * Slash commands are form fields; interactions are one form field `payload` holding JSON; events are JSON.
 */

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface SignOptions {
  secret?: string;
  /** Seconds since the epoch; backdate it to test replay protection. */
  timestamp?: number;
  /** Sign with a wrong secret, as a forger would. */
  forge?: boolean;
}

export interface SlackRequest {
  body: string;
  contentType: "application/x-www-form-urlencoded" | "application/json";
  /** The payload before encoding, for assertions. */
  payload: Record<string, any>;
}

export interface SlackReply {
  status: number;
  text: string;
  /** The body as JSON, or null when it is empty or not JSON (Bolt acks with an empty body). */
  json: Record<string, any> | null;
  /** From sending the request to the whole response arriving. */
  ms: number;
}

const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}.json`, import.meta.url), "utf8")) as Record<string, any>;

/** `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret, as Slack signs every request. */
export function signatureHeaders(rawBody: string, options: SignOptions = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = options.forge ? `${options.secret ?? SIGNING_SECRET}-forged` : (options.secret ?? SIGNING_SECRET);
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
  return { "x-slack-signature": signature, "x-slack-request-timestamp": String(timestamp) };
}

export async function send(endpoint: string, request: SlackRequest, options: SignOptions = {}): Promise<SlackReply> {
  const started = performance.now();
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": request.contentType, ...signatureHeaders(request.body, options) },
    body: request.body,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, text, json: parseJson(text), ms };
}

function parseJson(text: string): Record<string, any> | null {
  try {
    return text ? (JSON.parse(text) as Record<string, any>) : null;
  } catch {
    return null;
  }
}

const uniqueTrigger = () => `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString("hex")}`;

export interface WhoWhere {
  userId?: string;
  userName?: string;
  teamId?: string;
  channelId?: string;
  channelName?: string;
}

export interface SlashCommandOptions extends WhoWhere {
  command?: string;
  text?: string;
  responseUrl?: string;
  triggerId?: string;
}

/** A slash command as Slack posts it; `channelName: "directmessage"` for one typed in a DM. */
export function slashCommand(options: SlashCommandOptions = {}): SlackRequest {
  const base = fixture("slash-command");
  const payload: Record<string, string> = {
    ...base,
    command: options.command ?? base.command,
    text: options.text ?? "",
    user_id: options.userId ?? base.user_id,
    user_name: options.userName ?? base.user_name,
    team_id: options.teamId ?? base.team_id,
    channel_id: options.channelId ?? base.channel_id,
    channel_name: options.channelName ?? base.channel_name,
    response_url: options.responseUrl ?? base.response_url,
    trigger_id: options.triggerId ?? uniqueTrigger(),
  };
  return { body: new URLSearchParams(payload).toString(), contentType: "application/x-www-form-urlencoded", payload };
}

function interactive(payload: Record<string, any>): SlackRequest {
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: "application/x-www-form-urlencoded",
    payload,
  };
}

export interface ButtonOptions extends WhoWhere {
  actionId: string;
  value: string;
  responseUrl?: string;
}

/** A button pressed in a message (e.g. the ephemeral reply after a quick log). */
export function blockActions(options: ButtonOptions): SlackRequest {
  const base = fixture("block-actions");
  const teamId = options.teamId ?? base.team.id;
  const userId = options.userId ?? base.user.id;
  const channelId = options.channelId ?? base.channel.id;
  const [action] = base.actions;
  return interactive({
    ...base,
    user: { ...base.user, id: userId, team_id: teamId },
    team: { ...base.team, id: teamId },
    channel: { id: channelId, name: options.channelName ?? base.channel.name },
    container: { ...base.container, channel_id: channelId },
    response_url: options.responseUrl ?? base.response_url,
    trigger_id: uniqueTrigger(),
    actions: [{ ...action, action_id: options.actionId, value: options.value, action_ts: `${Date.now() / 1000}` }],
  });
}

/** A value a user gives an input: text or one option, several options or people, or a date and time. */
export type Answer = string | readonly string[] | Date | null;

export interface SubmissionOptions extends Pick<WhoWhere, "userId" | "teamId"> {
  /** The modal as the app opened it (the `view` argument of views.open); the fixture's when omitted. */
  view?: Record<string, any>;
  /** Answers by block id; inputs not named are left empty, as a user who skipped them would. */
  answers?: Record<string, Answer>;
}

// Slack gives each modal it opens an id of its own, kept while the modal is open: the same modal submitted again carries
// the same id, and another modal another.
const viewIds = new WeakMap<object, string>();
function viewIdOf(opened: Record<string, any>): string {
  if (typeof opened.id === "string") return opened.id;
  let id = viewIds.get(opened);
  if (!id) viewIds.set(opened, (id = `V${randomBytes(5).toString("hex").toUpperCase()}`));
  return id;
}

/**
 * Submitting a modal: Slack echoes the view with ids added and the inputs' state filled from the answers. The same
 * `view` object submitted twice is one modal submitted twice (one view id).
 */
export function viewSubmission(options: SubmissionOptions = {}): SlackRequest {
  const base = fixture("view-submission");
  const teamId = options.teamId ?? base.team.id;
  const userId = options.userId ?? base.user.id;
  const opened = options.view ?? base.view;
  const blocks: Record<string, any>[] = opened.blocks ?? [];
  const values = options.answers ? stateValues(blocks, options.answers) : base.view.state.values;
  return interactive({
    ...base,
    team: { ...base.team, id: teamId },
    user: { ...base.user, id: userId, team_id: teamId },
    trigger_id: uniqueTrigger(),
    view: {
      ...base.view,
      id: viewIdOf(opened),
      team_id: teamId,
      app_installed_team_id: teamId,
      blocks,
      callback_id: opened.callback_id ?? base.view.callback_id,
      private_metadata: opened.private_metadata ?? "",
      title: opened.title ?? base.view.title,
      submit: opened.submit ?? base.view.submit,
      close: opened.close ?? base.view.close,
      state: { values },
    },
  });
}

/** Each input's state as Slack reports it for its element type. */
export function stateValues(blocks: readonly Record<string, any>[], answers: Record<string, Answer>): Record<string, any> {
  const values: Record<string, any> = {};
  for (const block of blocks) {
    if (block.type !== "input") continue;
    const element = block.element as Record<string, any>;
    const answer = answers[block.block_id as string] ?? null;
    const optionFor = (v: string) => {
      const o = (element.options as { value: string; text: unknown }[] | undefined)?.find((x) => x.value === v);
      return o ?? { text: { type: "plain_text", text: v, emoji: true }, value: v };
    };
    const list = Array.isArray(answer) ? (answer as string[]) : answer === null ? [] : [String(answer)];
    let state: Record<string, any>;
    switch (element.type) {
      case "plain_text_input":
        // Slack reports an empty text input as null, never "".
        state = { value: answer === null || answer === "" ? null : String(answer) };
        break;
      case "static_select":
        state = { selected_option: answer === null ? null : optionFor(String(answer)) };
        break;
      case "multi_static_select":
        state = { selected_options: list.map(optionFor) };
        break;
      case "multi_users_select":
        state = { selected_users: list };
        break;
      case "datetimepicker":
        state = { selected_date_time: answer instanceof Date ? Math.floor(answer.getTime() / 1000) : null };
        break;
      default:
        state = { value: answer === null ? null : String(answer) };
    }
    values[block.block_id as string] = { [element.action_id as string]: { type: element.type, ...state } };
  }
  return values;
}

/** Someone opening the app's Home tab. */
export function appHomeOpened(options: Pick<WhoWhere, "userId" | "teamId"> = {}): SlackRequest {
  const base = fixture("app-home-opened");
  const teamId = options.teamId ?? base.team_id;
  const userId = options.userId ?? base.event.user;
  const payload = {
    ...base,
    team_id: teamId,
    event: { ...base.event, user: userId, channel: `D${userId.slice(1)}` },
    event_id: `Ev${randomBytes(5).toString("hex").toUpperCase()}`,
    authorizations: [{ ...base.authorizations[0], team_id: teamId }],
  };
  return { body: JSON.stringify(payload), contentType: "application/json", payload };
}
