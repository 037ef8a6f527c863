import type { Redis } from "ioredis";
import { setTimeout as sleep } from "node:timers/promises";
import type { PersonRef } from "../src/ports.ts";

/**
 * One person's queued commands take turns, so they run in the order they were sent even though workers run many
 * commands at once, in several processes (`/debrief setup` then `/debrief lead @x`: the lead needs the team). The web
 * process gives each command the person's next turn as it queues it; a worker waits for the turn before it, runs the
 * command, and marks its own turn done.
 */
export interface CommandTurns {
  /** The person's next turn, numbered from 1. */
  take(person: PersonRef): Promise<number>;
  /**
   * Waits until every earlier turn of the person is done. Gives up after the wait limit and says so (false): a command
   * whose turn was taken but never queued, or whose worker died, must not hold the person's next one for ever.
   */
  waitFor(person: PersonRef, turn: number): Promise<boolean>;
  /** Marks the turn done; the record only ever rises, so a late or repeated mark changes nothing. */
  done(person: PersonRef, turn: number): Promise<void>;
}

export interface CommandTurnsOptions {
  connection: Redis;
  prefix: string;
  /** How long a command waits for the person's earlier ones before it runs anyway. */
  waitLimitMs?: number;
  /** How often a waiting command looks again. */
  pollMs?: number;
}

// A person's record outlives any command's retries, and goes an hour after their last command. Both counters live in
// one hash, so they expire together: a "done" that outlived its "taken" would let a new run of turns skip the wait.
const KEPT_MS = 60 * 60_000;

const TAKE = `local turn = redis.call('HINCRBY', KEYS[1], 'taken', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return turn`;

// Only raises "done", and never brings back a record that has expired.
const DONE = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'done') or '0') < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'done', ARGV[1]) end
return 1`;

// Redis keeps each script by its SHA, so after the first run on a connection only the SHA goes with each command
// (EVALSHA). ioredis sends the script itself (EVAL) the first time on a socket and again whenever Redis answers
// NOSCRIPT, as after SCRIPT FLUSH or a restart. The names are Debrief's own, as the connection may be shared.
const SCRIPTS = {
  debriefTakeCommandTurn: TAKE,
  debriefMarkCommandTurnDone: DONE,
} as const;

type TurnScripts = { [Name in keyof typeof SCRIPTS]: (key: string, arg: number) => Promise<unknown> };

/** The connection with the turn scripts defined on it, once per connection however many CommandTurns share it. */
function withTurnScripts(connection: Redis): Redis & TurnScripts {
  const scripted = connection as Redis & Partial<TurnScripts>;
  for (const [name, lua] of Object.entries(SCRIPTS) as [keyof typeof SCRIPTS, string][]) {
    if (typeof scripted[name] !== "function") connection.defineCommand(name, { lua, numberOfKeys: 1 });
  }
  return scripted as Redis & TurnScripts;
}

export function commandTurns(options: CommandTurnsOptions): CommandTurns {
  const { prefix } = options;
  const connection = withTurnScripts(options.connection);
  const waitLimitMs = options.waitLimitMs ?? 10_000;
  const pollMs = options.pollMs ?? 20;
  const keyOf = (person: PersonRef) => `${prefix}:command-turns:${person.platform}:${person.workspaceId}:${person.userId}`;

  return {
    async take(person) {
      return Number(await connection.debriefTakeCommandTurn(keyOf(person), KEPT_MS));
    },
    async waitFor(person, turn) {
      if (turn <= 1) return true;
      const deadline = Date.now() + waitLimitMs;
      for (;;) {
        const [taken, done] = await connection.hmget(keyOf(person), "taken", "done");
        // No record at all: Redis lost it, and there is no earlier turn to wait for.
        if (taken === null || Number(done ?? 0) >= turn - 1) return true;
        if (Date.now() >= deadline) return false;
        await sleep(pollMs);
      }
    },
    async done(person, turn) {
      await connection.debriefMarkCommandTurnDone(keyOf(person), turn);
    },
  };
}
