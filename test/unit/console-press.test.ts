import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AnswerBook } from "../../adapters/console/answer-book.ts";
import { ConsoleChatPort } from "../../adapters/console/chat-port.ts";
import { Screen } from "../../adapters/console/screen.ts";
import { runConsole } from "../../adapters/console/session.ts";
import { createInbound } from "../../src/core/inbound.ts";
import { updatePressed, type CommandName, type Debrief, type Interaction, type Outcome, type Submission } from "../../src/interaction.ts";
import type { MessageView } from "../../src/views/view.ts";
import { silentLog } from "../support/fakes.ts";

/** `/press` as typed from the line printed beside a button: read back to that button, and its message printed again where it was. */

class ScriptedCore implements Debrief {
  readonly commandNames = ["incident", "action", "reflect", "debrief"] as const;
  readonly pressed: { buttonId: string; value: string }[] = [];
  onCommand: (name: CommandName, text: string) => Outcome = () => ({ kind: "reply", view: { text: "ok" } });
  onPress: (buttonId: string, value: string) => Outcome = (buttonId, value) => ({ kind: "reply", view: { text: `pressed ${buttonId} ${value}` } });

  async command(_i: Interaction, name: CommandName, text: string): Promise<Outcome> {
    return this.onCommand(name, text);
  }

  async submitForm(): Promise<Submission> {
    return { kind: "done", view: { text: "Saved." } };
  }

  async press(_i: Interaction, buttonId: string, value: string): Promise<Outcome> {
    this.pressed.push({ buttonId, value });
    return this.onPress(buttonId, value);
  }

  opensForm(): boolean {
    return false;
  }
}

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

/** A session and a chat port sharing one screen and one book, as the console platform wires them. */
function consoleOf(core: ScriptedCore) {
  const { output, printed } = capture();
  const screen = new Screen(output, false);
  const answers = new AnswerBook();
  const chat = new ConsoleChatPort({ output, screen, answers });
  const run = (lines: readonly string[]) =>
    runConsole({
      inbound: createInbound({ debrief: core, log: silentLog }),
      input: Readable.from([lines.map((l) => `${l}\n`).join("")]),
      output,
      user: "lead",
      timeZone: "Europe/London",
      answers,
      screen,
    });
  return { chat, run, printed };
}

// As /incident close asks when actions are open: the button carries the reference and the lesson on two lines.
const CLOSE_ASK: MessageView = {
  text: "INC-1 still has 1 open action",
  sections: [{ text: "INC-1 still has 1 open action. Close it anyway?" }],
  buttons: [{ id: "incident.close_anyway", label: "Close INC-1 anyway", value: "INC-1\nCheck the MAR chart at every handover", style: "danger" }],
};

const TEAM = { platform: "console", workspaceId: "local", channelId: "team" } as const;

const OVERDUE: MessageView = {
  text: "mo: 1 action overdue",
  sections: [{ text: "@mo: 1 action owned by people who report to you is overdue." }],
  buttons: [{ id: "escalation.done", label: "Mark A-1 done", value: "A-1 escalation-1-2-100" }],
};
const DEALT_WITH: MessageView = {
  text: "mo: 1 action dealt with",
  sections: [{ text: "@mo: 1 action owned by people who report to you was overdue; now dealt with." }],
};

describe("/press in the console", () => {
  it("sends a button's value as the core gave it, though the line printed beside it shows its lines as one", async () => {
    const core = new ScriptedCore();
    core.onCommand = () => ({ kind: "reply", view: CLOSE_ASK });
    core.onPress = () => updatePressed({ text: "INC-1 is closed, with its lesson recorded." });
    const { run, printed } = consoleOf(core);

    await run(["/incident close INC-1 Check the MAR chart at every handover", "/press incident.close_anyway INC-1 Check the MAR chart at every handover"]);
    expect(printed()).toContain("▸ Close INC-1 anyway (press: /press incident.close_anyway INC-1 Check the MAR chart at every handover)");
    expect(core.pressed).toEqual([{ buttonId: "incident.close_anyway", value: "INC-1\nCheck the MAR chart at every handover" }]);
    // The reply it replaces was the typist's alone, and so is what it now says.
    expect(printed()).toContain("(only you, edited) INC-1 is closed, with its lesson recorded.\n");
  });

  it("passes a value it never printed on as typed", async () => {
    const core = new ScriptedCore();
    const { run } = consoleOf(core);
    await run(["/press escalation.done   A-9 escalation-9-1-5  "]);
    expect(core.pressed).toEqual([{ buttonId: "escalation.done", value: "A-9 escalation-9-1-5" }]);
  });

  it("prints a pressed channel message again as that channel's, once, though the delivery revises it too", async () => {
    const core = new ScriptedCore();
    core.onPress = () => updatePressed(DEALT_WITH);
    const { chat, run, printed } = consoleOf(core);
    const ref = await chat.postToChannel(TEAM, OVERDUE);

    await run(["/as mo", "/press escalation.done A-1 escalation-1-2-100"]);
    await chat.update({ ...ref, workspaceId: "local" }, DEALT_WITH);
    expect(printed()).toContain("[#team] Debrief (edited): mo: 1 action dealt with\n  @mo: 1 action owned by people who report to you was overdue; now dealt with.\n");
    expect(printed().split("(edited)")).toHaveLength(2);
  });

  it("prints a pressed direct message again as that person's", async () => {
    const core = new ScriptedCore();
    core.onPress = () => updatePressed({ text: "A-1 — marked done by sam" });
    const { chat, run, printed } = consoleOf(core);
    await chat.sendToPerson({ platform: "console", workspaceId: "local", userId: "sam" }, { text: "A-1 is overdue", buttons: [{ id: "escalation.done", label: "Done", value: "A-1 escalation-1-1-100" }] });

    await run(["/as sam", "/press escalation.done A-1 escalation-1-1-100"]);
    expect(printed()).toContain("[DM → sam] Debrief (edited): A-1 — marked done by sam\n");
  });

  it("does not print again a message revised to what it already says (a second Nudge owner), but prints a real change", async () => {
    const { chat, printed } = consoleOf(new ScriptedCore());
    const nudged: MessageView = { ...OVERDUE, sections: [{ text: "@mo: 1 action owned by people who report to you is overdue." }, { text: "A-1 — sam was nudged by mo" }] };
    const ref = { ...(await chat.postToChannel(TEAM, OVERDUE)), workspaceId: "local" };

    await chat.update(ref, nudged);
    await chat.update(ref, nudged);
    expect(printed().split("[#team] Debrief (edited)")).toHaveLength(2);
    await chat.update(ref, DEALT_WITH);
    expect(printed().split("[#team] Debrief (edited)")).toHaveLength(3);
    // Another message that happens to read the same is its own message, and is printed.
    const other = { ...(await chat.postToChannel(TEAM, OVERDUE)), workspaceId: "local" };
    await chat.update(other, DEALT_WITH);
    expect(printed().split("[#team] Debrief (edited)")).toHaveLength(4);
  });
});
