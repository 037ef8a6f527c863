import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of the test's own, so test files share one Redis without touching each other's keys. */
export function uniquePrefix(): string {
  return `debrief-test-${randomBytes(6).toString("hex")}`;
}

/** Removes every key under the prefix. */
export async function clearPrefix(prefix: string, url = REDIS_URL, options: RedisOptions = {}): Promise<void> {
  const redis = new Redis(url, options);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
