import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SlackFileDrop } from "../../adapters/slack/file-drop.ts";
import { slackWebClient } from "../../adapters/slack/web-client.ts";
import { PermanentDeliveryError, RateLimitedError } from "../../src/ports.ts";
import { startFakeSlack, type FakeSlack } from "../support/fake-slack.ts";

/** A person's export reaching them in Slack: uploaded into their DM with the app through the external upload API. */

let fake: FakeSlack;
let drop: SlackFileDrop;
const person = { platform: "slack" as const, workspaceId: "T0001", userId: "U0CARER" };
const file = {
  filename: "debrief-reflections-2026-12-01.md",
  title: "Your reflections (CPD evidence)",
  // Multi-byte characters: the length Slack is told must count bytes, not characters.
  content: "# Reflections\n\n## INC-3 · Medication\n\nWhat went well: the café – £5 float was counted twice. ✓\n",
  comment: "Here are your reflections, 1 Nov – 1 Dec.",
};

beforeAll(async () => {
  fake = await startFakeSlack();
  drop = new SlackFileDrop(slackWebClient({ botToken: "xoxb-test", signingSecret: null, appToken: null, apiUrl: fake.url }));
});
afterAll(() => fake?.close());
beforeEach(() => fake.reset());

describe("SlackFileDrop", () => {
  it("uploads the file into the person's DM with its content byte for byte, its title and a comment", async () => {
    const sent = await drop.sendToPerson(person, file);

    expect(sent).toEqual({ where: "our direct messages" });
    expect(fake.callsTo("conversations.open")[0]!.body).toMatchObject({ users: "U0CARER" });
    const [asked] = fake.callsTo("files.getUploadURLExternal");
    expect(asked!.token).toBe("xoxb-test");
    expect(asked!.body).toMatchObject({ filename: file.filename, length: String(Buffer.byteLength(file.content, "utf8")) });
    expect(Buffer.byteLength(file.content, "utf8")).toBeGreaterThan(file.content.length);
    expect(fake.files()).toEqual([
      expect.objectContaining({ channelId: "D0CARER", filename: file.filename, title: file.title, comment: file.comment, content: file.content }),
    ]);
    expect(fake.files()[0]!.bytes.equals(Buffer.from(file.content, "utf8"))).toBe(true);
  });

  it("shares nothing when the upload itself fails", async () => {
    fake.failNext("upload_url", 1, { kind: "http", status: 500 });
    await expect(drop.sendToPerson(person, file)).rejects.toThrow();
    expect(fake.callsTo("files.completeUploadExternal")).toHaveLength(0);
    expect(fake.files()).toEqual([]);
  });

  it("turns Slack's failures into the errors delivery understands", async () => {
    fake.failNext("conversations.open", 1, { kind: "rate_limited", retryAfterSeconds: 4 });
    const limited = await drop.sendToPerson(person, file).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(4000);

    fake.failNext("conversations.open", 1, { kind: "platform", error: "user_not_found" });
    const gone = await drop.sendToPerson(person, file).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PermanentDeliveryError);
    expect((gone as Error).message).toContain("user_not_found");

    fake.failNext("files.completeUploadExternal", 1, { kind: "rate_limited", retryAfterSeconds: 2 });
    expect(await drop.sendToPerson(person, file).catch((e: unknown) => e)).toBeInstanceOf(RateLimitedError);
    expect(fake.files()).toEqual([]);
  });
});
