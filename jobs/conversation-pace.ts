import type { Redis } from "ioredis";
import type { Conversation, Pacing } from "../src/platform.ts";
import type { Platform } from "../src/ports.ts";

/** How fast the bot may send to a conversation, per platform; each adapter says it for its own (see PlatformAdapter). */
export type PacingByPlatform = Partial<Record<Platform, (conversation: Conversation) => Pacing>>;

/** For a platform that has not said: Slack's pace, about one message a second, which no platform we know refuses. */
export const DEFAULT_PACING: Pacing = { perSecond: 1 };

export interface ConversationPace {
  /**
   * Asks to send delivery `deliveryId` to the conversation now: 0 when it may, else how long to wait before asking
   * again. Deliveries to one conversation go in the order of their ids, at the conversation's pace.
   */
  take(conversation: Conversation, deliveryId: string): Promise<number>;
  /** Keeps the conversation quiet for `ms` (the platform asked, with Retry-After); then one message may go. */
  hold(conversation: Conversation, ms: number): Promise<void>;
  /** The least time between two sends to the conversation at its steady pace; 0 when it is not paced. */
  intervalMs(conversation: Conversation): number;
}

export interface ConversationPaceOptions {
  connection: Redis;
  prefix: string;
  pacing: PacingByPlatform;
  /**
   * How long past the time it was told to come back a waiting delivery keeps its place in line. Longer lets a slow
   * worker keep the order; shorter lets the line move sooner past a delivery whose worker stopped.
   */
  keepPlaceMs?: number;
}

// Every conversation's state goes this long after its last use (a full bucket and an empty line are the same as none).
const KEPT_MS = 60 * 60_000;

// Sends go a tenth under the platform's rate: a send's own time (claiming its row, the platform call) varies, which can
// bring two messages closer together when they land than they were when they took their turns.
const HEADROOM = 0.9;

// The clock is Redis's own, so workers on several machines pace one conversation together.
const NOW = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/**
 * A token bucket (KEYS[1]: tokens, and the time they were counted at) with a line in front of it (KEYS[2]: waiting
 * delivery ids by id; KEYS[3]: when each was told to come back). Only the first in line may take a token, so one
 * conversation's messages go in the order they were recorded. Returns 0 when the token was taken, else the wait in ms.
 * The slot gap of old (SET NX PX gap) is this bucket with one token.
 */
const TAKE = `${NOW}
local id, rate, burst, keep, kept = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], id)
-- A waiter long past its time has likely stopped (its worker died): the line moves on; should it return, its id puts it
-- back where it belongs.
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
while head ~= id do
  local back = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  if back + keep >= now then break end
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
  head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
end
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
-- 'at' ahead of now is a hold: nothing refills, and nothing goes, until then.
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local rank = redis.call('ZRANK', KEYS[2], id)
if rank == 0 and now >= at and tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'at', at)
  redis.call('PEXPIRE', KEYS[1], kept)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  return 0
end
-- Come back when there are tokens for everyone ahead and for this one, and not before those ahead are due back.
local wait = math.max(at - now, 0) + math.max(rank + 1 - tokens, 0) / rate
if rank > 0 then
  local headBack = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  wait = math.max(wait, headBack - now + rank / rate)
end
wait = math.max(math.ceil(wait), 10)
redis.call('HSET', KEYS[3], id, now + wait)
redis.call('PEXPIRE', KEYS[2], kept)
redis.call('PEXPIRE', KEYS[3], kept)
return wait`;

/** Empties the bucket until now + ARGV[1], with one token waiting then; a later hold already set stands. */
const HOLD = `${NOW}
local untilAt = now + tonumber(ARGV[1])
if untilAt > tonumber(redis.call('HGET', KEYS[1], 'at') or '0') then
  redis.call('HSET', KEYS[1], 'tokens', 1, 'at', untilAt)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]))
end
return 0`;

const isPaced = (pacing: Pacing) => Number.isFinite(pacing.perSecond) && pacing.perSecond > 0;

/**
 * Paces sends per conversation, as each platform allows, in Redis, so every worker process shares one pace. A
 * conversation whose pacing is unlimited (the console: `perSecond: Infinity`) costs no Redis call.
 */
export function conversationPace(options: ConversationPaceOptions): ConversationPace {
  const { connection, prefix } = options;
  const keepPlaceMs = options.keepPlaceMs ?? 5_000;
  const pacingOf = (c: Conversation): Pacing => options.pacing[c.platform]?.(c) ?? DEFAULT_PACING;
  const keyOf = (c: Conversation, part: string) => `${prefix}:delivery-${part}:${c.platform}:${c.workspaceId}:${c.kind}:${c.id}`;

  return {
    async take(conversation, deliveryId) {
      const pacing = pacingOf(conversation);
      if (!isPaced(pacing)) return 0;
      const burst = Math.max(1, Math.floor(pacing.burst ?? 1));
      const keys = [keyOf(conversation, "bucket"), keyOf(conversation, "line"), keyOf(conversation, "line-back")];
      const wait = await connection.eval(TAKE, keys.length, ...keys, deliveryId, Number(deliveryId), (pacing.perSecond * HEADROOM) / 1000, burst, keepPlaceMs, KEPT_MS);
      return Number(wait);
    },
    async hold(conversation, ms) {
      if (!isPaced(pacingOf(conversation))) return;
      await connection.eval(HOLD, 1, keyOf(conversation, "bucket"), Math.max(1, Math.round(ms)), KEPT_MS);
    },
    intervalMs(conversation) {
      const pacing = pacingOf(conversation);
      return isPaced(pacing) ? 1000 / (pacing.perSecond * HEADROOM) : 0;
    },
  };
}
