/** What the bench's processes agree on: the fake Slack's limits, and the baseline's queue. */

export interface Limits {
  /** chat.postMessage per conversation (a channel, or one person's DM): messages a second; null for none. */
  perConversationPerSecond: number | null;
  /** How many messages a conversation may take at once before its rate applies. */
  perConversationBurst: number;
  /** chat.postMessage across the whole workspace, a minute (Slack's tier limits are stated per minute); null for none. */
  workspacePerMinute: number | null;
  /** How many messages the workspace may send at once before its rate applies. */
  workspaceBurst: number;
}

export const NO_LIMITS: Limits = { perConversationPerSecond: null, perConversationBurst: 1, workspacePerMinute: null, workspaceBurst: 1 };

export interface Progress {
  /** chat.postMessage calls answered ok (for the baseline: processor runs). */
  delivered: number;
}

export const BARE_QUEUE = "bare-prompt";

/** Same as Debrief's prompt worker (jobs/prompt-worker.ts), so neither has more jobs in hand at once. */
export const BARE_CONCURRENCY = 20;

export interface BareJobData {
  /** The job's place in the schedule, 0…N-1. */
  n: number;
  /** When it was due, epoch ms. */
  due: number;
}
