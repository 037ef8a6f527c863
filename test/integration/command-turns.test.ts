import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandTurns, type CommandTurns } from "../../jobs/command-turns.ts";
import type { PersonRef } from "../../src/ports.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { waitFor } from "../support/wait.ts";

/** One person's queued commands take turns, on a real Redis, as workers in several processes see them. */

let redis: Redis;
let prefix: string;
let turns: CommandTurns;
let seq = 0;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  prefix = uniquePrefix();
  turns = commandTurns({ connection: redis, prefix, waitLimitMs: 1000, pollMs: 5 });
});

afterAll(async () => {
  await clearPrefix(prefix);
  redis.disconnect();
});

/** Someone new, so each test's turns start at 1. */
const someone = (): PersonRef => ({ platform: "slack", workspaceId: "T1", userId: `UTURN${++seq}` });

/** Resolves with what waitFor said, and records when. */
function waiting(person: PersonRef, turn: number): { settled: () => boolean; result: Promise<boolean> } {
  let settled = false;
  const result = turns.waitFor(person, turn).finally(() => (settled = true));
  return { settled: () => settled, result };
}

describe("one person's commands", () => {
  it("are numbered in the order they were sent, each person on their own", async () => {
    const [sam, jo] = [someone(), someone()];
    expect([await turns.take(sam), await turns.take(sam), await turns.take(jo), await turns.take(sam)]).toEqual([1, 2, 1, 3]);
  });

  it("wait for the one before, and only that one", async () => {
    const sam = someone();
    for (let i = 0; i < 3; i++) await turns.take(sam);
    expect(await turns.waitFor(sam, 1)).toBe(true);
    const third = waiting(sam, 3);
    const second = waiting(sam, 2);
    await turns.done(sam, 1);
    expect(await second.result).toBe(true);
    expect(third.settled()).toBe(false);
    await turns.done(sam, 2);
    expect(await third.result).toBe(true);
  });

  it("go ahead after the wait limit when the one before never finishes, and say so", async () => {
    const sam = someone();
    await turns.take(sam);
    await turns.take(sam);
    const started = Date.now();
    expect(await turns.waitFor(sam, 2)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("are not held back by an earlier one marked done late or twice", async () => {
    const sam = someone();
    for (let i = 0; i < 3; i++) await turns.take(sam);
    await turns.done(sam, 2);
    // The first one's retry finishes after the second: done never goes back down.
    await turns.done(sam, 1);
    expect(await turns.waitFor(sam, 3)).toBe(true);
  });

  it("do not wait when Redis has lost the person's record, as after a flush", async () => {
    const sam = someone();
    await turns.take(sam);
    await turns.take(sam);
    const second = waiting(sam, 2);
    await clearPrefix(prefix);
    await waitFor(() => second.settled());
    expect(await second.result).toBe(true);
    // Nor does marking a turn done bring the record back.
    await turns.done(sam, 2);
    expect(await turns.take(sam)).toBe(1);
  });
});
