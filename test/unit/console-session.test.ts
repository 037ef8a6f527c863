import { PassThrough, Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runConsole } from "../../adapters/console/session.ts";
import { SORRY, userMessage } from "../../src/core/user-message.ts";
import { DomainError } from "../../src/domain/errors.ts";
import type { ConsoleLog } from "../../adapters/console/session.ts";
import type { CommandName } from "../../src/commands/command.ts";
import { updatePressed, type Debrief, type Interaction, type Outcome, type Submission } from "../../src/interaction.ts";
import type { FormValues, FormView, MessageView } from "../../src/views/view.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { createInbound } from "../../src/core/inbound.ts";
import { silentLog } from "../support/fakes.ts";
import { AnswerBook } from "../../adapters/console/answer-book.ts";
import { ConsoleChatPort } from "../../adapters/console/chat-port.ts";

type Call =
  | { kind: "command"; interaction: Interaction; name: CommandName; text: string }
  | { kind: "submit"; interaction: Interaction; formId: string; values: FormValues; state: string | undefined }
  | { kind: "press"; interaction: Interaction; buttonId: string; value: string };

/** A core that records every call and answers with scripted outcomes. */
class FakeDebrief implements Debrief {
  readonly commandNames = ["incident", "action", "reflect", "debrief"] as const;
  readonly calls: Call[] = [];
  onCommand: (name: CommandName, text: string) => Outcome | Promise<Outcome> = (name, text) => reply(`ok ${name} ${text}`.trim());
  readonly submissions: Submission[] = [];

  async command(interaction: Interaction, name: CommandName, text: string): Promise<Outcome> {
    this.calls.push({ kind: "command", interaction, name, text });
    return this.onCommand(name, text);
  }

  async submitForm(interaction: Interaction, formId: string, values: FormValues, state: string | undefined): Promise<Submission> {
    this.calls.push({ kind: "submit", interaction, formId, values, state });
    return this.submissions.shift() ?? { kind: "done", view: { text: "Saved." } };
  }

  onPress: (buttonId: string, value: string) => Outcome = (buttonId, value) => reply(`pressed ${buttonId} ${value}`);

  async press(interaction: Interaction, buttonId: string, value: string): Promise<Outcome> {
    this.calls.push({ kind: "press", interaction, buttonId, value });
    return this.onPress(buttonId, value);
  }

  // The console runs every command where it is typed, so it never asks.
  opensForm(): boolean {
    return false;
  }

  commands(): Extract<Call, { kind: "command" }>[] {
    return this.calls.filter((c): c is Extract<Call, { kind: "command" }> => c.kind === "command");
  }

  submits(): Extract<Call, { kind: "submit" }>[] {
    return this.calls.filter((c): c is Extract<Call, { kind: "submit" }> => c.kind === "submit");
  }
}

const reply = (text: string): Outcome => ({ kind: "reply", view: { text } });

const INCIDENT_FORM: FormView = {
  id: "incident.form",
  title: "Log an incident",
  submitLabel: "Log",
  state: "team",
  inputs: [
    { kind: "text", id: "summary", label: "What happened?" },
    {
      kind: "select",
      id: "category",
      label: "Category",
      options: [
        { value: "medication", label: "Medication" },
        { value: "safeguarding", label: "Safeguarding" },
      ],
    },
    {
      kind: "multiselect",
      id: "factors",
      label: "Contributing factors",
      optional: true,
      options: [
        { value: "staffing", label: "Staffing" },
        { value: "handover", label: "Handover" },
        { value: "training", label: "Training" },
      ],
    },
    { kind: "people", id: "involved", label: "Who was involved?", optional: true },
    { kind: "datetime", id: "occurredAt", label: "When did it happen?" },
  ],
};

/** The real inbound pipeline in front of the scripted core, as the runtime puts it in front of the real one. */
const pipeline = (debrief: Debrief) => createInbound({ debrief, log: silentLog });

/** Runs a session over a piped script and returns everything it printed. */
async function session(script: string, debrief: Debrief, extra: { log?: ConsoleLog; answers?: AnswerBook } = {}): Promise<string> {
  let printed = "";
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed += chunk.toString();
      done();
    },
  });
  await runConsole({
    inbound: pipeline(debrief),
    input: Readable.from([script]),
    output,
    user: "alice",
    timeZone: "Europe/London",
    now: () => new Date("2026-03-14T09:30:00Z"),
    ...extra,
  });
  return printed;
}

describe("questions asked in a message", () => {
  const PROMPT: MessageView = {
    text: "Reflect on INC-3",
    answer: { inputs: [{ kind: "text", id: "feeling", label: "How did it feel?" }], submit: { id: "reflect.answer", label: "Send", value: "R-3" } },
  };

  it("are asked when their submit line is typed, and the answers go to the core as that message's form", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = () => ({ kind: "reply", view: PROMPT });
    debrief.submissions.push({ kind: "done", view: { text: "Thank you for reflecting on INC-3" } });
    const printed = await session("/reflect\n/press reflect.answer R-3\nTired, but we handled it\n", debrief, { answers: new AnswerBook() });
    expect(printed).toContain("How did it feel?");
    expect(debrief.submits()).toEqual([expect.objectContaining({ formId: "reflect.answer", values: { feeling: "Tired, but we handled it" }, state: "R-3" })]);
    expect(printed).toContain("Thank you for reflecting on INC-3");
  });

  it("are asked the same way when the message came as a direct message, through the chat port's shared book", async () => {
    const debrief = new FakeDebrief();
    const answers = new AnswerBook();
    await new ConsoleChatPort({ output: new Writable({ write: (_c, _e, done) => done() }), answers }).sendToPerson(
      { platform: "console", workspaceId: "local", userId: "alice" },
      PROMPT,
    );
    await session("/press reflect.answer R-3\nFine\n", debrief, { answers });
    expect(debrief.submits()).toEqual([expect.objectContaining({ formId: "reflect.answer", values: { feeling: "Fine" }, state: "R-3" })]);
  });
});

describe("console session", () => {
  it("opens with a banner and makes the channel the team space", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = () => reply("#team is now Debrief's team space.");
    const printed = await session("", debrief);

    expect(printed).toContain("Debrief");
    expect(printed).toContain("/debrief help");
    expect(printed).toContain("/as <name>");
    expect(printed).toContain("/quit");
    expect(debrief.commands()).toEqual([
      {
        kind: "command",
        name: "debrief",
        text: "setup",
        interaction: {
          actor: { platform: "console", workspaceId: "local", userId: "alice" },
          channel: { platform: "console", workspaceId: "local", channelId: "team" },
          channelName: "team",
        },
      },
    ]);
    expect(printed).toContain("(only you) #team is now Debrief's team space.");
  });

  it("sends a quick log to the core as /incident with the text typed", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => (name === "incident" ? reply("Logged INC-1.") : reply("ok"));
    const printed = await session("/incident medication low Missed evening meds at Oak House\n", debrief);

    expect(debrief.commands()[1]).toMatchObject({ name: "incident", text: "medication low Missed evening meds at Oak House" });
    expect(printed).toContain("(only you) Logged INC-1.");
  });

  it("hands @mentions to the core as mentions of that console name, whatever their case", async () => {
    const debrief = new FakeDebrief();
    await session("/action INC-1 @Sam by friday Update the plan with sam@example\n", debrief);
    expect(debrief.commands()[1]).toMatchObject({ name: "action", text: "INC-1 <@sam> by friday Update the plan with sam@example" });
  });

  it("shows mentions in what the core says back as they are typed", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (_name, text) => reply(`You typed: ${text}`);
    expect(await session("/action INC-1 @sam\n", debrief)).toContain("You typed: INC-1 @sam");
    // A refusal gives back what was typed as code: mentions there are shown as typed too.
    debrief.onCommand = (_name, text) => ({ kind: "reply", view: { text: "No.", sections: [{ text: ["You typed: ", { code: text }] }] } });
    expect(await session("/debrief manager @alex @sam\n", debrief)).toContain("You typed: manager @alex @sam");
  });

  it("/as switches who is typing", async () => {
    const debrief = new FakeDebrief();
    const printed = await session("/as Sam\n/reflect\n/as not a name!\n", debrief);

    expect(printed).toContain("You are now sam.");
    expect(debrief.commands()[1]).toMatchObject({ name: "reflect", interaction: { actor: { userId: "sam" } } });
    expect(printed).toContain("Who do you want to be?");
  });

  it("/press presses a button with its value", async () => {
    const debrief = new FakeDebrief();
    const printed = await session("/press incident.details INC-3\n", debrief);

    expect(debrief.calls.at(-1)).toMatchObject({ kind: "press", buttonId: "incident.details", value: "INC-3" });
    expect(printed).toContain("(only you) pressed incident.details INC-3");
  });

  it("prints the pressed message again, marked edited, when the press changes it", async () => {
    const debrief = new FakeDebrief();
    debrief.onPress = () => updatePressed({ text: "Thank you for reflecting on INC-3", sections: [{ text: "Your answers are saved." }] });
    const printed = await session("/press reflect.answer R-3\n", debrief);

    expect(printed).toContain("(edited) Thank you for reflecting on INC-3\n  Your answers are saved.\n");
    expect(printed).not.toContain("(only you) Thank you");
  });

  it("asks a form question by question and submits typed values keyed by input id", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => (name === "incident" ? { kind: "form", form: INCIDENT_FORM } : reply("ok"));
    debrief.submissions.push({ kind: "done", view: { text: "Logged INC-2." } });
    const printed = await session(
      ["/incident", "Missed evening meds", "1", "2, training", "@sam, @Jo", "2026-03-13 18:45", "/reflect"].join("\n"),
      debrief,
    );

    const questions = ["Log an incident", "What happened?", "Category", "1) Medication", "Contributing factors", "Who was involved?", "When did it happen?"];
    let at = 0;
    for (const q of questions) {
      const found = printed.indexOf(q, at);
      expect(found, q).toBeGreaterThan(-1);
      at = found;
    }
    const [submit] = debrief.submits();
    expect(submit).toMatchObject({ formId: "incident.form", state: "team", interaction: { actor: { userId: "alice" } } });
    expect(submit?.values).toEqual({
      summary: "Missed evening meds",
      category: "medication",
      factors: ["handover", "training"],
      involved: ["sam", "jo"],
      occurredAt: new Date("2026-03-13T18:45:00Z"),
    });
    expect(printed).toContain("(only you) Logged INC-2.");
    // The line after the form is a command again.
    expect(debrief.commands().at(-1)).toMatchObject({ name: "reflect" });
  });

  it("reads a datetime in the user's zone, and 'now' as the clock's time", async () => {
    const debrief = new FakeDebrief();
    const form: FormView = { id: "f", title: "When", submitLabel: "Send", inputs: [
      { kind: "datetime", id: "summer", label: "Summer" },
      { kind: "datetime", id: "now", label: "Now" },
    ] };
    debrief.onCommand = (name) => (name === "incident" ? { kind: "form", form } : reply("ok"));
    await session("/incident\n2026-07-01 09:00\nnow\n", debrief);
    expect(debrief.submits()[0]?.values).toEqual({
      summer: new Date("2026-07-01T08:00:00Z"),
      now: new Date("2026-03-14T09:30:00Z"),
    });
  });

  it("asks again for an owner when two people are named where one is wanted", async () => {
    const debrief = new FakeDebrief();
    const form = { id: "action.new", title: "Add an action", submitLabel: "Add", inputs: [{ kind: "people" as const, id: "owner", label: "Owner", single: true }] };
    debrief.onCommand = (name) => (name === "action" ? { kind: "form", form } : reply("ok"));
    const printed = await session(["/action", "@sam @jo", "@sam"].join("\n"), debrief);

    expect(printed).toContain("type one @name");
    expect(printed).toContain("Name one person here, like @sam.");
    expect(debrief.submits()[0]?.values).toEqual({ owner: ["sam"] });
  });

  it("asks again when an answer cannot be read, and skips optional questions on an empty line", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => (name === "incident" ? { kind: "form", form: INCIDENT_FORM } : reply("ok"));
    const printed = await session(["/incident", "", "Fall in the garden", "7", "Safeguarding", "", "", "yesterday", "now"].join("\n"), debrief);

    expect(printed).toContain("This one needs an answer");
    expect(printed).toContain('"7" is not one of the choices');
    expect(printed).toContain('"yesterday" is not a date and time');
    expect(debrief.submits()[0]?.values).toEqual({
      summary: "Fall in the garden",
      category: "safeguarding",
      factors: [],
      involved: [],
      occurredAt: new Date("2026-03-14T09:30:00Z"),
    });
  });

  it("after errors asks only the inputs in error again and keeps the other answers", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => (name === "incident" ? { kind: "form", form: INCIDENT_FORM } : reply("ok"));
    debrief.submissions.push({ kind: "errors", errors: { occurredAt: "That is in the future; when did it happen?" } });
    debrief.submissions.push({ kind: "done", view: { text: "Logged INC-4." } });
    const printed = await session(["/incident", "Missed meds", "medication", "", "@sam", "2026-03-20 10:00", "2026-03-14 08:00"].join("\n"), debrief);

    const [first, second] = debrief.submits();
    expect(second?.values).toEqual({ ...first?.values, occurredAt: new Date("2026-03-14T08:00:00Z") });
    expect(second?.values["summary"]).toBe("Missed meds");
    expect(printed).toContain("✗ When did it happen?: That is in the future; when did it happen?");
    const afterErrors = printed.slice(printed.indexOf("needs another look"));
    expect(afterErrors).not.toContain("What happened?");
    expect(afterErrors).not.toContain("Category");
    expect(afterErrors).toContain("Enter keeps 2026-03-20 10:00");
    expect(printed).toContain("(only you) Logged INC-4.");
  });

  it("/cancel abandons a form without submitting it", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => (name === "incident" ? { kind: "form", form: INCIDENT_FORM } : reply("ok"));
    const printed = await session("/incident\nSomething\n/cancel\n/reflect\n", debrief);

    expect(debrief.submits()).toEqual([]);
    expect(printed).toContain("Log an incident was not sent; nothing was saved.");
    expect(debrief.commands().at(-1)).toMatchObject({ name: "reflect" });
  });

  it("a form left unanswered when input ends is not submitted", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => (name === "incident" ? { kind: "form", form: INCIDENT_FORM } : reply("ok"));
    const printed = await session("/incident\nSomething\n", debrief);
    expect(debrief.submits()).toEqual([]);
    expect(printed).toContain("was not sent");
  });

  it("answers lines that are not commands with a hint listing the commands", async () => {
    const debrief = new FakeDebrief();
    const printed = await session("hello bot\n/frobnicate\n", debrief);

    expect(printed).toContain("Debrief only answers commands, which start with a slash.");
    expect(printed).toContain('"/frobnicate" is not a Debrief command.');
    for (const command of ["/incident", "/action", "/reflect", "/debrief help", "/as <name>", "/quit"]) expect(printed).toContain(command);
    expect(debrief.commands()).toHaveLength(1);
  });

  it("a failure in the core prints one polite line, no stack, logs it and carries on", async () => {
    const debrief = new FakeDebrief();
    debrief.onCommand = (name) => {
      if (name === "incident") throw new Error("connection refused at pg.connect");
      return reply("ok");
    };
    const logged: unknown[] = [];
    const printed = await session("/incident Fall\n/reflect\n", debrief, { log: { error: (details) => logged.push(details) } });

    // What the user sees is the core's apology, word for word, on a line of its own: the console has no words of its own.
    const lines = printed.split("\n");
    expect(lines).toContain(SORRY);
    expect(lines.filter((line) => line.includes("Sorry"))).toEqual([SORRY]);
    expect(printed).not.toContain("connection refused");
    expect(printed).not.toContain("pg.connect");
    expect(printed).not.toMatch(/\bError\b/);
    expect(printed).not.toMatch(/\n\s+at /);
    expect(logged).toHaveLength(1);
    expect(printed).toContain("(only you) ok");
  });

  it("a refusal from the core that reaches the last stop is shown in the core's words, without its stack", async () => {
    const debrief = new FakeDebrief();
    const refusal = new DomainError("FORBIDDEN", "Only a team lead can do that.");
    debrief.onCommand = (name) => {
      if (name === "incident") throw refusal;
      return reply("ok");
    };
    const printed = await session("/incident Fall\n/reflect\n", debrief, { log: { error: () => undefined } });

    expect(userMessage(refusal)).toBe("Only a team lead can do that.");
    expect(printed.split("\n")).toContain(userMessage(refusal));
    expect(printed).not.toContain(SORRY);
    expect(printed).not.toContain("DomainError");
    expect(printed).not.toMatch(/\n\s+at /);
    expect(printed).toContain("(only you) ok");
  });

  it("handles piped lines strictly in order, one at a time, and waits for the last before ending", async () => {
    const debrief = new FakeDebrief();
    const events: string[] = [];
    debrief.onCommand = async (_name, text) => {
      events.push(`start ${text}`);
      await sleep(text === "list" ? 20 : 1);
      events.push(`end ${text}`);
      return reply(`done ${text}`);
    };
    const printed = await session("/incident list\n/incident show INC-1\n/incident close INC-1\n", debrief);

    expect(events).toEqual([
      "start setup", "end setup",
      "start list", "end list",
      "start show INC-1", "end show INC-1",
      "start close INC-1", "end close INC-1",
    ]);
    expect(printed.indexOf("done list")).toBeLessThan(printed.indexOf("done show INC-1"));
    expect(printed.trimEnd().endsWith("(only you) done close INC-1")).toBe(true);
  });

  it("/quit ends the session and ignores what follows", async () => {
    const debrief = new FakeDebrief();
    const input = new PassThrough();
    let printed = "";
    const output = new Writable({ write: (chunk: Buffer, _e, done) => ((printed += chunk.toString()), done()) });
    const done = runConsole({ inbound: pipeline(debrief), input, output, user: "alice", timeZone: "Europe/London" });
    input.write("/quit\n/incident after quit\n");
    await done; // resolves although the input never ends
    expect(debrief.commands().map((c) => c.name)).toEqual(["debrief"]);
    expect(printed).not.toContain("alice>"); // no prompt when input is not a terminal
  });

  it("prompts with the current name when typing at a terminal", async () => {
    const debrief = new FakeDebrief();
    const input = Object.assign(new PassThrough(), { isTTY: true });
    let printed = "";
    const output = new Writable({ write: (chunk: Buffer, _e, done) => ((printed += chunk.toString()), done()) });
    const done = runConsole({ inbound: pipeline(debrief), input, output, user: "alice", timeZone: "Europe/London", color: false });
    input.write("/as sam\r");
    input.write("/quit\r");
    await done;
    expect(printed).toContain("alice> ");
    expect(printed).toContain("sam> ");
  });
});
