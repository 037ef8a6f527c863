import { Redis } from "ioredis";
import { serveBoltPeer } from "./bolt-peer.ts";

/**
 * The floor for a durable acknowledgement: a Bolt app that appends each slash command to a Redis stream (one XADD,
 * one round trip) and then acknowledges. Debrief's web process does this job through BullMQ, so it can do no better.
 */

const redis = new Redis(process.env.REDIS_URL ?? "", { lazyConnect: true });
await redis.connect();
// Under the run's own prefix, so the bench's clean-up removes it with Debrief's keys.
const stream = `${process.env.REDIS_PREFIX ?? "debrief-bench"}:peer-commands`;

await serveBoltPeer({
  async store(command) {
    await redis.xadd(stream, "*", "command", JSON.stringify(command));
  },
  async close() {
    await redis.quit();
  },
});
