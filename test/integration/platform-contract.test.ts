import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { BACKGROUND } from "../../src/main.ts";
import type { Conversation, PlatformAdapter, PlatformEntry } from "../../src/platform.ts";
import type { ChannelRef, ChatPort, MessageRef, PersonRef } from "../../src/ports.ts";
import { start } from "../../src/runtime.ts";
import { plainText, type MessageView } from "../../src/views/view.ts";
import { FakeDirectory, silentLog } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";
import { waitFor } from "../support/wait.ts";

/**
 * A platform is an adapter and one entry (issue 7, item 1): this one is made here, in the test, as Teams would be, and
 * handed to the runtime with the real background (BullMQ queues and workers from src/main.ts). The runtime serves its
 * route, starts and stops it, reads people through its Directory, sends through its ChatPort at its pacing: no branch
 * anywhere names it.
 */

const WORKSPACE = "tenant-1";
const TEAM_CHANNEL = "19:oak-house";

/** What the fake platform's bot said where, as the people there would read it. */
interface Said {
  to: string;
  text: string;
}

class RecordingChat implements ChatPort {
  readonly said: Said[] = [];
  async sendToPerson(person: PersonRef, view: MessageView): Promise<MessageRef> {
    return this.say(`person:${person.userId}`, view);
  }
  async postToChannel(channel: ChannelRef, view: MessageView): Promise<MessageRef> {
    return this.say(`channel:${channel.channelId}`, view);
  }
  async update(): Promise<void> {}
  private say(to: string, view: MessageView): MessageRef {
    const body = (view.sections ?? []).map((s) => (s.text === undefined ? "" : plainText(s.text))).join("\n");
    this.said.push({ to, text: `${view.text}\n${body}` });
    return { channelId: to, messageId: `m${this.said.length}` };
  }
}

/** The throwaway platform: POST /test-platform/messages with { from, channel, channelName, text } as JSON. */
function testPlatform() {
  const chat = new RecordingChat();
  const directory = new FakeDirectory();
  const paced: Conversation[] = [];
  const lifecycle: string[] = [];
  const entry: PlatformEntry = {
    platform: "teams",
    configured: (config) => config.teams !== null,
    async create({ inbound }): Promise<PlatformAdapter> {
      lifecycle.push("created");
      return {
        platform: "teams",
        routes: [
          {
            method: "POST",
            path: "/test-platform/messages",
            async handler(req, res) {
              const { from, channel, channelName, text } = JSON.parse(await bodyOf(req)) as Record<string, string>;
              const [, word = "", rest = ""] = /^\/(\S+)\s*([\s\S]*)$/.exec(text!) ?? [];
              const receipt = await inbound.command({
                interaction: { actor: { platform: "teams", workspaceId: WORKSPACE, userId: from! }, channel: { platform: "teams", workspaceId: WORKSPACE, channelId: channel! }, channelName: channelName! },
                name: word as never,
                text: rest,
              });
              const outcome = receipt.kind === "answering" ? await receipt.outcome : null;
              res.writeHead(200, { "content-type": "application/json" });
              res.end(JSON.stringify({ receipt: receipt.kind, text: outcome?.kind === "reply" ? outcome.view.text : null }));
            },
          },
        ],
        chat,
        directory,
        files: { sendToPerson: () => Promise.reject(new Error("this platform hands out no files")) },
        pacing(conversation) {
          paced.push(conversation);
          return { perSecond: 7, burst: 7 };
        },
        async start() {
          lifecycle.push("started");
        },
        async stop() {
          lifecycle.push("stopped");
        },
      };
    },
  };
  return { entry, chat, directory, paced, lifecycle };
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return body;
}

let database: TestDatabase;
let dataDir: string;
let prefix: string;

beforeEach(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "debrief-platform-"));
  prefix = uniquePrefix();
});

afterEach(async () => {
  await database.drop();
  await clearPrefix(prefix);
  await rm(dataDir, { recursive: true, force: true });
});

describe("a platform added as one entry", () => {
  it("is served, started, answered through the one inbound pipeline, delivered to at its pacing, and stopped", async () => {
    const platform = testPlatform();
    const config = readConfig({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: "0",
      DEBRIEF_DATA_DIR: dataDir,
      MICROSOFT_APP_ID: "test-app",
      MICROSOFT_APP_PASSWORD: "test-password",
      DEBRIEF_ADMINS: "ada",
    });
    const running = await start(config, { role: "all", log: silentLog, platforms: [platform.entry], background: BACKGROUND });
    try {
      expect(platform.lifecycle).toEqual(["created", "started"]);
      expect(running.port).not.toBeNull();
      const say = async (from: string, text: string) => {
        const res = await fetch(`http://127.0.0.1:${running.port}/test-platform/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ from, channel: TEAM_CHANNEL, channelName: "oak-house", text }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { receipt: string; text: string | null };
      };

      // No reply address, so the pipeline answers at once, as it does the console.
      expect(await say("ada", "/debrief setup")).toMatchObject({ receipt: "answering" });
      const logged = await say("sam", "/incident medication low Missed meds at Oak House");
      expect(logged.text).toMatch(/INC-1/);

      // The announcement goes out through this platform's ChatPort, to the team's channel, paced as it says.
      const announced = await waitFor(() => platform.chat.said.find((s) => s.to === `channel:${TEAM_CHANNEL}` && s.text.includes("Missed meds at Oak House")));
      expect(announced.text).toMatch(/INC-1/);
      expect(platform.paced).toContainEqual({ platform: "teams", workspaceId: WORKSPACE, kind: "channel", id: TEAM_CHANNEL });
      // People are read through its Directory.
      expect(platform.directory.lookups).toEqual(expect.arrayContaining(["ada", "sam"]));
    } finally {
      await running.stop();
    }
    expect(platform.lifecycle).toEqual(["created", "started", "stopped"]);
  });
});
