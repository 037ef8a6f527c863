import { createInterface } from "node:readline";
import type { Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { InboundPort } from "../../src/core/inbound.ts";
import { userMessage } from "../../src/core/user-message.ts";
import type { CommandName, Interaction, Outcome } from "../../src/interaction.ts";
import type { FormErrors, FormValues, FormView, Input, MessageView } from "../../src/views/view.ts";
import type { Answer, AnswerContext } from "./form-questions.ts";
import { CONTINUES, howLine, initialAnswer, isEmpty, parseAnswer, questionLines, skipped } from "./form-questions.ts";
import { LineQueue } from "./line-queue.ts";
import { consoleName, toConsoleName } from "./names.ts";
import type { Paint } from "./paint.ts";
import { clean, paint, prefixed } from "./paint.ts";
import { renderMessage, renderText } from "./render.ts";
import type { AnswerBook, PrintedIn } from "./answer-book.ts";
import { postedLabel } from "./chat-port.ts";
import { Screen } from "./screen.ts";
import { coreText } from "./text.ts";

/** Where a failure is recorded; a pino logger fits. */
export interface ConsoleLog {
  error(details: object, message: string): void;
}

export interface ConsoleOptions {
  /** The core's inbound pipeline: every line is handed to it, and what it answers is printed. */
  readonly inbound: InboundPort;
  /** Questions shown in messages, so `/press` on their submit asks them (shared with the chat port). */
  readonly answers?: AnswerBook;
  readonly input: Readable;
  readonly output: Writable;
  /** Who is typing at first; made into a console name ("John Smith" → "john-smith"). */
  readonly user: string;
  /** The zone typed dates and times are read in: the configured fallback zone. */
  readonly timeZone: string;
  readonly workspaceId?: string;
  readonly channelId?: string;
  readonly log?: ConsoleLog;
  /** ANSI emphasis; by default only when output is a terminal and NO_COLOR is not set. */
  readonly color?: boolean;
  /** The clock "now" reads in a date answer. */
  readonly now?: () => Date;
  /** The terminal shared with the chat port, so the bot's own messages are printed above a waiting prompt. */
  readonly screen?: Screen;
}

/**
 * A terminal chat with the bot, as Hubot's shell adapter gives: one channel, typed slash commands, forms asked as
 * questions. Resolves when input ends or on /quit, after the line in hand has been handled.
 */
export function runConsole(options: ConsoleOptions): Promise<void> {
  return new ConsoleSession(options).run();
}

type Asked = { readonly kind: "answer"; readonly value: Answer; readonly how: string } | { readonly kind: "cancel" | "quit" | "end" };
type Typed = { readonly kind: "typed"; readonly text: string } | { readonly kind: "cancel" | "quit" | "end" };

class ConsoleSession {
  private user: string;
  private quitting = false;
  private readonly lines = new LineQueue();
  private readonly color: boolean;
  private readonly paint: Paint;
  private readonly answerContext: AnswerContext;
  private readonly workspaceId: string;
  private readonly channelId: string;
  private readonly tty: boolean;
  private readonly screen: Screen;
  private readline: Interface | undefined;

  constructor(private readonly options: ConsoleOptions) {
    this.user = toConsoleName(options.user);
    this.workspaceId = options.workspaceId ?? "local";
    this.channelId = options.channelId ?? "team";
    this.tty = (options.input as Readable & { isTTY?: boolean }).isTTY === true;
    this.screen = options.screen ?? new Screen(options.output, options.color);
    this.color = options.color ?? this.screen.color;
    this.paint = paint(this.color);
    this.answerContext = { timeZone: options.timeZone, now: options.now ?? (() => new Date()) };
  }

  async run(): Promise<void> {
    // Line editing and echo only on a terminal; from a pipe readline just splits lines.
    const readline = createInterface({
      input: this.options.input,
      ...(this.tty ? { output: this.options.output, terminal: true } : { terminal: false }),
    });
    this.readline = readline;
    if (this.tty) this.screen.attach(readline);
    readline.on("line", (line) => this.lines.push(line));
    readline.on("close", () => this.lines.end());
    // Without a listener Ctrl-C only pauses input; a chat user expects it to leave.
    readline.on("SIGINT", () => readline.close());

    this.say([
      this.paint.bold(`Debrief — a terminal chat with the bot, in #${this.channelId} as ${this.user}.`),
      this.paint.dim("Type /debrief help for the commands, /as <name> to speak as someone else, /quit to leave."),
    ]);
    await this.guarded(() => this.command("debrief", "setup"));

    while (!this.quitting) {
      this.prompt(`${this.user}> `);
      const line = await this.lines.next();
      if (line === null) break;
      await this.guarded(() => this.handle(line));
    }
    readline.close();
  }

  /** One typed line: a command to the bot, or one of the console's own (/as, /press, /quit). */
  private async handle(line: string): Promise<void> {
    const typed = line.trim();
    if (!typed) return;
    const match = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(typed);
    if (!match) return this.say(this.hint("Debrief only answers commands, which start with a slash."));
    const word = match[1]?.toLowerCase() ?? "";
    const rest = match[2]?.trim() ?? "";
    if (this.options.inbound.commandNames.includes(word as CommandName)) return this.command(word as CommandName, rest);
    switch (word) {
      case "as":
        return this.switchUser(rest);
      case "press":
        return this.press(rest);
      case "quit":
      case "exit":
        this.quitting = true;
        return;
      case "cancel":
        return this.say(["There is no form open to cancel."]);
      default:
        return this.say(this.hint(`"/${clean(word)}" is not a Debrief command.`));
    }
  }

  private async command(name: CommandName, text: string): Promise<void> {
    // No reply address, so the pipeline answers here and now: a terminal has nobody else to answer later.
    const receipt = await this.options.inbound.command({ interaction: this.interaction(), name, text: coreText(text) });
    if (receipt.kind === "answering") await this.show(await receipt.outcome);
    else if (receipt.kind === "not_taken") this.reply(receipt.view);
  }

  private async press(rest: string): Promise<void> {
    const [, buttonId, typed = ""] = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest) ?? [];
    if (!buttonId) return this.say(["Which button? Type /press <button> <value>, as shown beside a message (▸)."]);
    // A line printed beside a button is read back to that button's value (which may span lines) and its message.
    const shown = this.options.answers?.button(buttonId, typed.trim());
    const value = shown?.value ?? typed.trim();
    // The submit of questions asked in a message: they are asked here, and the answers sent as that message's form.
    const answer = this.options.answers?.find(buttonId, typed.trim());
    if (answer) return this.fill({ id: buttonId, title: answer.submit.label, submitLabel: answer.submit.label, state: value, inputs: answer.inputs });
    await this.show(await this.options.inbound.press(this.interaction(), buttonId, value), shown?.printedIn);
  }

  private switchUser(rest: string): void {
    const name = consoleName(rest);
    if (!name) return this.say(["Who do you want to be? Type /as <name>, e.g. /as sam (letters, digits, . _ -)."]);
    this.user = name;
    this.say([`You are now ${name}.`]);
  }

  private async show(outcome: Outcome, pressedIn?: PrintedIn): Promise<void> {
    if (outcome.kind === "form") await this.fill(outcome.form);
    else if (outcome.replaces === "pressed") this.edited(outcome.view, pressedIn);
    else this.reply(outcome.view);
  }

  /** A form asked question by question; after errors only the inputs in error are asked again, other answers kept. */
  private async fill(form: FormView): Promise<void> {
    // The person who opened the form submits it, even if answers take a while.
    const interaction = this.interaction();
    const intro = form.intro === undefined ? [] : renderText(form.intro, { color: this.color });
    this.say([this.paint.bold(clean(form.title)), ...intro]);

    const answers = new Map<string, Answer>();
    let toAsk: readonly Input[] = form.inputs;
    let errors: FormErrors = {};
    for (;;) {
      // How to answer is said once for a run of questions answered the same way (a reflection's six free-text questions).
      let howShown: string | undefined;
      for (const [index, input] of toAsk.entries()) {
        const asked = await this.ask(input, answers.get(input.id), errors[input.id], { index, count: toAsk.length }, howShown);
        if (asked.kind !== "answer") return this.abandon(form, asked.kind);
        answers.set(input.id, asked.value);
        howShown = asked.how;
      }
      const values: FormValues = Object.fromEntries(form.inputs.map((i) => [i.id, answers.get(i.id) ?? skipped(i)]));
      const receipt = await this.options.inbound.submit({ interaction, formId: form.id, values, state: form.state });
      if (receipt.kind === "problem") return this.say([this.paint.problem(clean(receipt.message)), `${clean(form.title)} was not sent and nothing was saved.`]);
      const submission = receipt.submission;
      if (submission.kind === "done") return this.reply(submission.view);

      errors = submission.errors;
      toAsk = form.inputs.filter((i) => errors[i.id] !== undefined);
      const unplaced = Object.entries(errors).filter(([id]) => !form.inputs.some((i) => i.id === id));
      this.say([
        this.paint.problem(`${clean(form.title)} needs another look:`),
        ...toAsk.map((i) => this.paint.problem(`  ✗ ${clean(i.label)}: ${clean(errors[i.id] ?? "")}`)),
        ...unplaced.map(([, message]) => this.paint.problem(`  ✗ ${clean(message)}`)),
      ]);
      // An error no question can fix would loop for ever; say so and stop.
      if (toAsk.length === 0) return this.say([`${clean(form.title)} was not sent and nothing was saved.`]);
    }
  }

  private async ask(
    input: Input,
    previous: Answer | undefined,
    problem: string | undefined,
    position: { index: number; count: number },
    howShown: string | undefined,
  ): Promise<Asked> {
    // Asked again after an error, the last answer is offered so nothing typed is lost.
    const fallback = isEmpty(previous) ? initialAnswer(input) : previous;
    const how = howLine(input, fallback, this.answerContext);
    this.say(questionLines(input, { fallback, paint: this.paint, context: this.answerContext, position, ...(howShown ? { howShown } : {}), ...(problem ? { problem } : {}) }));
    let retype: string | undefined;
    for (;;) {
      this.prompt("  > ");
      const retyping = retype !== undefined && this.screen.prefill(retype);
      retype = undefined;
      const typed = await this.answerLines(input, retyping);
      if (typed.kind !== "typed") return typed;
      if (!typed.text) {
        if (fallback !== undefined) return { kind: "answer", value: fallback, how };
        if (input.optional) return { kind: "answer", value: skipped(input), how };
        this.say([this.paint.problem("  This one needs an answer (or /cancel to stop).")]);
        continue;
      }
      const parsed = parseAnswer(input, typed.text, this.answerContext);
      if (parsed.ok) return { kind: "answer", value: parsed.value, how };
      // On a terminal a one-line answer comes back onto the line to be corrected, rather than typed again (a long one).
      const again = this.tty && !typed.text.includes("\n") ? typed.text : undefined;
      this.say([this.paint.problem(`  ${clean(parsed.problem)}${again !== undefined ? " It is back on the line below to edit (Ctrl-U clears it)." : ""}`)]);
      retype = again;
    }
  }

  /**
   * One answer as typed: a line, or several when a free-text answer's lines end in a backslash. After an answer put
   * back on the line to edit, /cancel or /quit typed after it still stops, as it would on an empty line.
   */
  private async answerLines(input: Input, retyping: boolean): Promise<Typed> {
    const parts: string[] = [];
    for (;;) {
      const line = await this.lines.next();
      if (line === null) return { kind: "end" };
      const typed = parts.length === 0 ? line.trim() : line.trimEnd();
      const command = (retyping && parts.length === 0 ? /(\/(?:cancel|quit))$/i.exec(typed)?.[1] : typed.trim())?.toLowerCase();
      if (command === "/cancel") return { kind: "cancel" };
      if (command === "/quit") return { kind: "quit" };
      const goesOn = input.kind === "text" && input.multiline === true && CONTINUES.test(typed);
      parts.push(goesOn ? typed.replace(CONTINUES, "").trimEnd() : typed);
      if (!goesOn) return { kind: "typed", text: parts.join("\n").trim() };
      this.prompt("  … ");
    }
  }

  private abandon(form: FormView, why: "cancel" | "quit" | "end"): void {
    if (why === "quit") this.quitting = true;
    this.say([`${clean(form.title)} was not sent; nothing was saved.`]);
  }

  private reply(view: MessageView): void {
    this.options.answers?.remember(view, { kind: "reply" });
    this.say(prefixed(this.paint.dim("(only you) "), renderMessage(view, { color: this.color })));
  }

  /**
   * A terminal cannot change what it printed, so the pressed message is printed again as it now reads, introduced as
   * it was: `[#team] Debrief (edited): …` for a post everyone there sees changed, `(only you, edited)` for a reply.
   */
  private edited(view: MessageView, printedIn: PrintedIn | undefined): void {
    const where = printedIn ?? { kind: "reply" };
    this.options.answers?.remember(view, where);
    const label =
      printedIn === undefined
        ? this.paint.dim("(edited) ")
        : printedIn.kind === "posted"
          ? this.paint.bold(postedLabel(printedIn.where, true))
          : this.paint.dim("(only you, edited) ");
    this.say(prefixed(label, renderMessage(view, { color: this.color })));
    this.screen.pressed(renderMessage(view).join("\n"));
  }

  private interaction(): Interaction {
    const { workspaceId, channelId } = this;
    return {
      actor: { platform: "console", workspaceId, userId: this.user },
      channel: { platform: "console", workspaceId, channelId },
      channelName: channelId,
    };
  }

  /**
   * Runs one piece of work; a failure becomes one line in the core's words (its refusal, else its apology; never a
   * stack trace), and the details go to the log.
   */
  private async guarded(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.log?.error({ err: error, user: this.user }, "console command failed");
      this.say([this.paint.problem(userMessage(error))]);
    }
  }

  private hint(problem: string): string[] {
    return [
      problem,
      "Try one of these:",
      "  /incident …            log an incident, or list, show or close them",
      "  /action …              add and follow up actions",
      "  /reflect               your reflection prompts",
      "  /debrief help          everything Debrief can do",
      `  /as <name>             speak as someone else (you are ${this.user})`,
      "  /press <button> <value>  press a button shown under a message (▸)",
      "  /quit                  leave",
    ];
  }

  private prompt(text: string): void {
    if (this.tty) this.screen.prompt(text);
  }

  private say(lines: readonly string[]): void {
    this.screen.print(lines);
  }
}

