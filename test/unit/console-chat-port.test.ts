import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConsoleChatPort, ConsoleDirectory } from "../../adapters/console/chat-port.ts";

function capture(): { output: Writable; printed: () => string } {
  let printed = "";
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed += chunk.toString();
      done();
    },
  });
  return { output, printed: () => printed };
}

const ALICE = { platform: "console", workspaceId: "local", userId: "alice" } as const;
const TEAM = { platform: "console", workspaceId: "local", channelId: "team" } as const;

describe("console chat port", () => {
  it("tells channel posts and direct messages apart", async () => {
    const { output, printed } = capture();
    const chat = new ConsoleChatPort({ output });
    await chat.postToChannel(TEAM, { text: "INC-1 logged (restricted)" });
    await chat.sendToPerson(ALICE, { text: "Details of INC-1", sections: [{ fields: [{ label: "Harm", value: "Moderate" }] }] });

    expect(printed()).toBe(
      ["[#team] Debrief: INC-1 logged (restricted)", "[DM → alice] Debrief: Details of INC-1", "  Harm: Moderate", ""].join("\n"),
    );
  });

  it("gives messages increasing ids and prints an update as edited, where the message was", async () => {
    const { output, printed } = capture();
    const chat = new ConsoleChatPort({ output });
    const first = await chat.postToChannel(TEAM, { text: "one" });
    const second = await chat.sendToPerson(ALICE, { text: "two" });
    expect(Number(second.messageId)).toBeGreaterThan(Number(first.messageId));

    await chat.update({ ...first, workspaceId: "local" }, { text: "one, closed" });
    await chat.update({ ...second, workspaceId: "local" }, { text: "two, done" });
    expect(printed()).toContain("[#team] Debrief (edited): one, closed");
    expect(printed()).toContain("[DM → alice] Debrief (edited): two, done");
  });

  it("writes no ANSI colour unless asked", async () => {
    const { output, printed } = capture();
    await new ConsoleChatPort({ output }).postToChannel(TEAM, { text: "plain", title: "Title" });
    expect(printed()).not.toContain("\x1b[");
  });
});

describe("console directory", () => {
  it("names people by their console name, in the configured zone", async () => {
    expect(await new ConsoleDirectory("Europe/London").profile(ALICE)).toEqual({ displayName: "alice", timeZone: "Europe/London", isAdmin: false });
  });

  it("makes whoever started the console its admin, and nobody they play with /as", async () => {
    const directory = new ConsoleDirectory("Europe/London", "alice");
    expect(await directory.profile(ALICE)).toMatchObject({ isAdmin: true });
    expect(await directory.profile({ ...ALICE, userId: "sam" })).toMatchObject({ isAdmin: false });
  });
});
