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

  it("still take their turns in order when Redis forgets its scripts between them (SCRIPT FLUSH)", async () => {
    const sam = someone();
    // A short wait limit, to see the second one is still held by the first rather than let through.
    const impatient = commandTurns({ connection: redis, prefix, waitLimitMs: 50, pollMs: 5 });
    expect(await turns.take(sam)).toBe(1);
    await redis.script("FLUSH");
    expect(await turns.take(sam)).toBe(2);
    expect(await impatient.waitFor(sam, 2)).toBe(false);
    await redis.script("FLUSH");
    await turns.done(sam, 1);
    expect(await turns.waitFor(sam, 2)).toBe(true);
    await redis.script("FLUSH");
    await turns.done(sam, 2);
    expect(await turns.take(sam)).toBe(3);
    expect(await turns.waitFor(sam, 3)).toBe(true);
  });
});

describe("the turn scripts", () => {
  it("are sent whole only when Redis lacks them, and by their SHA otherwise", async () => {
    const connection = new Redis(REDIS_URL);
    const watcher = await new Redis(REDIS_URL).monitor();
    try {
      const own = commandTurns({ connection, prefix, waitLimitMs: 1000, pollMs: 5 });
      const sam = someone();
      const key = `${prefix}:command-turns:${sam.platform}:${sam.workspaceId}:${sam.userId}`;
      const seen: string[][] = [];
      watcher.on("monitor", (_time: string, args: string[]) => {
        if (args.includes(key)) seen.push(args);
      });
      // What reached Redis for each scripted call: the script itself ("eval <what it does>") or only its SHA.
      const scripted = () =>
        seen
          .filter((args) => /^eval/i.test(args[0] ?? ""))
          .map((args) =>
            args[0]?.toLowerCase() === "evalsha" ? `evalsha ${args[1]}` : `eval ${args[1]?.includes("HINCRBY") ? "take" : "done"}`,
          );

      // Nothing sent yet on the new connection, so the first of each script goes whole, then only by SHA.
      expect(await own.take(sam)).toBe(1);
      expect(await own.take(sam)).toBe(2);
      await own.done(sam, 1);
      await own.done(sam, 2);
      await waitFor(() => scripted().length >= 4);
      const before = scripted();
      const [takeSha, doneSha] = [before[1], before[3]];
      expect(takeSha).toMatch(/^evalsha [0-9a-f]{40}$/);
      expect(doneSha).toMatch(/^evalsha [0-9a-f]{40}$/);
      expect(takeSha).not.toBe(doneSha);
      expect(before).toEqual(["eval take", takeSha, "eval done", doneSha]);

      // After a flush Redis answers NOSCRIPT; the script goes whole again, once, and then by SHA as before.
      seen.length = 0;
      await redis.script("FLUSH");
      expect(await own.take(sam)).toBe(3);
      expect(await own.take(sam)).toBe(4);
      await waitFor(() => scripted().includes("eval take") && scripted().at(-1) === takeSha);
      const after = scripted();
      expect(after.filter((command) => command === "eval take")).toHaveLength(1);
      expect(after.at(-1)).toBe(takeSha);
      expect(after.slice(after.indexOf("eval take") + 1)).toEqual([takeSha]);
    } finally {
      watcher.disconnect();
      connection.disconnect();
    }
  });
});
