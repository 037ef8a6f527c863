import { PassThrough, Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AnswerBook } from "../../adapters/console/answer-book.ts";
import { ConsoleChatPort } from "../../adapters/console/chat-port.ts";
import { renderMessage } from "../../adapters/console/render.ts";
import { Screen } from "../../adapters/console/screen.ts";
import { runConsole } from "../../adapters/console/session.ts";
import { createInbound } from "../../src/core/inbound.ts";
import { answerForm, laterChoices, promptMessage, type PromptLine } from "../../src/features/reflections/views.ts";
import { updatePressed, type CommandName, type Debrief, type Interaction, type Outcome, type Submission } from "../../src/interaction.ts";
import type { FormValues } from "../../src/views/view.ts";
import { silentLog } from "../support/fakes.ts";

/** The reflection feature's own views, as the console shows and asks them; the core is a script. */

const PROMPT: PromptLine = {
  promptId: "7",
  ref: "INC-1",
  summary: "Wrong dose at tea time",
  step: 0,
  steps: 2,
  questionSet: "gibbs",
  status: "sent",
  reminder: false,
  isReporter: false,
};

class ScriptedCore implements Debrief {
  readonly commandNames = ["incident", "action", "reflect", "debrief"] as const;
  readonly submitted: { formId: string; values: FormValues; state: string | undefined }[] = [];
  readonly commands: string[] = [];
  onPress: (buttonId: string, value: string) => Outcome = () => ({ kind: "form", form: answerForm(PROMPT, 3000) });

  async command(_i: Interaction, name: CommandName, text: string): Promise<Outcome> {
    this.commands.push(`${name} ${text}`.trim());
    return { kind: "reply", view: { text: "ok" } };
  }

  async submitForm(_i: Interaction, formId: string, values: FormValues, state: string | undefined): Promise<Submission> {
    this.submitted.push({ formId, values, state });
    return { kind: "done", view: { text: "Thank you: your reflection on INC-1 is saved, for you alone." } };
  }

  async press(_i: Interaction, buttonId: string, value: string): Promise<Outcome> {
    return this.onPress(buttonId, value);
  }

  opensForm(): boolean {
    return false;
  }
}

function capture(isTTY = false): { output: Writable; printed: () => string } {
  let printed = "";
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed += chunk.toString();
        done();
      },
    }),
    isTTY ? { isTTY: true, columns: 200 } : {},
  );
  return { output, printed: () => printed };
}

async function piped(script: readonly string[], core: ScriptedCore, screen?: Screen): Promise<string> {
  const { output, printed } = capture();
  await runConsole({
    inbound: createInbound({ debrief: core, log: silentLog }),
    input: Readable.from([script.map((l) => `${l}\n`).join("")]),
    output: screen?.output ?? output,
    user: "sam",
    timeZone: "Europe/London",
    ...(screen ? { screen } : {}),
  });
  return printed();
}

/** A session at a terminal: keys are written as typed, and the test waits for what it expects to see. */
function atTerminal(core: ScriptedCore) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const { output, printed } = capture(true);
  const screen = new Screen(output, false);
  const done = runConsole({ inbound: createInbound({ debrief: core, log: silentLog }), input, output, user: "sam", timeZone: "Europe/London", color: false, screen });
  return {
    screen,
    output,
    printed,
    done,
    keys: (text: string) => void input.write(text),
    async sees(text: string, from = 0): Promise<number> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const at = printed().indexOf(text, from);
        if (at >= 0) return at + text.length;
        if (Date.now() > deadline) throw new Error(`never printed ${JSON.stringify(text)}:\n${printed()}`);
        await sleep(5);
      }
    },
  };
}

describe("the reflection answer form in the console", () => {
  it("numbers the questions, says how to answer once for a run of them, and takes a multi-line answer ending lines with \\", async () => {
    const core = new ScriptedCore();
    const printed = await piped(
      ["/press reflection.reflect 7", "I gave the 5pm dose \\", "  from the wrong pack.", "Rushed.", "", "", "", "", "", "", "", "/reflect"],
      core,
    );

    expect(printed).toContain("Reflect on INC-1\nINC-1: Wrong dose at tea time · reflection 1 of 2, Gibbs (6 questions).");
    expect(printed).toContain(
      "1/9 What happened? (optional)\n  (one line, or end a line with \\ to add another, at most 3000 characters; Enter skips it; /cancel stops without sending)\n",
    );
    // The same words are not repeated under each of the next free-text questions.
    expect(printed).toContain("2/9 What were you thinking and feeling? (optional)\n3/9 ");
    expect(printed.match(/end a line with \\/g)).toHaveLength(1);
    expect(printed).toContain("8/9 Share the lesson\n  1) Without my name\n  2) With my name\n  (type a number or a name; Enter keeps Without my name;");

    expect(core.submitted).toEqual([
      {
        formId: "reflection.answer",
        state: "7",
        values: { q0: "I gave the 5pm dose\n  from the wrong pack.", q1: "Rushed.", q2: null, q3: null, q4: null, q5: null, lesson: null, named: "anonymous", cpd: "yes" },
      },
    ]);
    expect(printed).toContain("(only you) Thank you: your reflection on INC-1 is saved, for you alone.");
    expect(core.commands.at(-1)).toBe("reflect");
  });

  it("says by how much an answer is too long, and asks again", async () => {
    const core = new ScriptedCore();
    const printed = await piped(["/press reflection.reflect 7", "x".repeat(3001), "Shorter.", "", "", "", "", "", "", "", ""], core);
    expect(printed).toContain("That is 3001 characters; the most is 3000, so it needs 1 fewer. Please shorten it.");
    expect(printed).not.toContain("back on the line");
    expect(core.submitted[0]?.values["q0"]).toBe("Shorter.");
  });

  it("at a terminal puts a too-long answer back on the line to edit, and /cancel typed after it still stops", async () => {
    const core = new ScriptedCore();
    const t = atTerminal(core);
    t.keys("/press reflection.reflect 7\r");
    let at = await t.sees("  > ");
    t.keys(`${"y".repeat(3005)}\r`);
    at = await t.sees("It is back on the line below to edit (Ctrl-U clears it).", at);
    at = await t.sees(`  > ${"y".repeat(3005)}`, at);
    // Ctrl-U clears it; what is typed then is the answer.
    t.keys("\x15Kept short.\r");
    at = await t.sees("2/9 ", at);
    t.keys(`${"z".repeat(3001)}\r`);
    at = await t.sees("back on the line", at);
    await t.sees(`  > ${"z".repeat(3001)}`, at);
    t.keys("/cancel\r");
    await t.sees("Reflect on INC-1 was not sent; nothing was saved.", at);
    t.keys("/quit\r");
    await t.done;
    expect(core.submitted).toEqual([]);
  });
});

describe("the bot's own messages in the console", () => {
  it("arriving while a prompt waits, are printed above it and the prompt is drawn again with what was typed", async () => {
    const core = new ScriptedCore();
    const t = atTerminal(core);
    const chat = new ConsoleChatPort({ output: t.output, screen: t.screen, color: false });
    let at = await t.sees("sam> ");
    t.keys("/refl");
    at = await t.sees("/refl", at);
    await chat.sendToPerson({ platform: "console", workspaceId: "local", userId: "sam" }, promptMessage([PROMPT]));
    at = await t.sees("[DM → sam] Debrief: Time to reflect on INC-1\n", at);
    at = await t.sees("▸ Reflect now (press: /press reflection.reflect 7)", at);
    // Drawn again under the message, with the typed text, and the line goes on from there.
    await t.sees("sam> /refl", at);
    t.keys("ect\r");
    t.keys("/quit\r");
    await t.done;
    expect(core.commands).toContain("reflect");
    // The message starts on a line of its own, not after "sam> /refl".
    expect(t.printed()).not.toContain("/refl[DM");
  });

  it("a message revised to what a press has just printed is not printed twice; another revision is", async () => {
    const core = new ScriptedCore();
    const withdrawn = promptMessage([{ ...PROMPT, status: "withdrawn", summary: null }]);
    core.onPress = () => updatePressed(withdrawn);
    const { output, printed } = capture();
    const screen = new Screen(output, false);
    const chat = new ConsoleChatPort({ output, screen, answers: new AnswerBook() });
    const ref = await chat.sendToPerson({ platform: "console", workspaceId: "local", userId: "sam" }, promptMessage([PROMPT]));

    await piped(["/press reflection.not_involved 7"], core, screen);
    await chat.update({ ...ref, workspaceId: "local" }, withdrawn);
    expect(printed()).toContain("(edited) INC-1: you were not involved\n");
    expect(printed()).not.toContain("[DM → sam] Debrief (edited)");

    await chat.update({ ...ref, workspaceId: "local" }, promptMessage([{ ...PROMPT, status: "answered" }]));
    expect(printed()).toContain("[DM → sam] Debrief (edited): INC-1: answered, thank you");
  });

  it("Remind me later's choices say their question once, with a /press line for each", () => {
    expect(renderMessage(laterChoices("7"))).toEqual([
      "When shall I ask again? I will only ask in your working hours.",
      "  ▸ In an hour (press: /press reflection.snooze hour:7)",
      "  ▸ Tomorrow morning (press: /press reflection.snooze morning:7)",
      "  ▸ Next week (press: /press reflection.snooze week:7)",
    ]);
  });
});
