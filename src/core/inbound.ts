import type { Logger } from "pino";
import type { CommandName, CommandQueue, Debrief, DeferredCommand, Interaction, Outcome, Submission } from "../interaction.ts";
import type { Platform } from "../ports.ts";
import { TimeLimitError, withinTime } from "../infra/time-limit.ts";
import { notTakenView, replyView } from "../views/reply-views.ts";
import type { FormValues, MessageView } from "../views/view.ts";
import { isRefusal, userMessage } from "./user-message.ts";

/**
 * The one inbound pipeline (DESIGN.md, "Seams"). Adapters hand it platform-neutral requests and render what comes
 * back; whether a command runs now or waits for a worker, the acknowledgement budget, the "not taken" answer, the
 * late-save message, error text and the counts are decided here, once, for every platform.
 */

/** Counts by platform, command and outcome; prom-client counters fit. */
export interface InboundMetrics {
  commandQueued(platform: Platform, command: string): void;
  commandAnswered(platform: Platform, command: string, outcome: string): void;
  /** How long the platform waited for our acknowledgement; `label` is the command, form or button id. */
  acknowledged(platform: Platform, label: string, seconds: number): void;
}

export interface InboundCommand {
  readonly interaction: Interaction;
  readonly name: CommandName;
  /** The text after the command word, as the core reads it: plain text, each mention written `<@user-id>`. */
  readonly text: string;
  /**
   * Where an answer can go later (Slack: the response_url); a command that has one may wait for a worker. Without
   * one (the console) every command runs where it arrives.
   */
  readonly replyTo?: Readonly<Record<string, string>>;
}

export type CommandReceipt =
  /** Acknowledge with nothing: a worker answers through replyTo. */
  | { readonly kind: "queued" }
  /** Acknowledge with this: the command could not be taken, and nothing was saved. */
  | { readonly kind: "not_taken"; readonly view: MessageView }
  /** Acknowledge with nothing, then show this, which is being worked out now (a form must open while its trigger lasts). */
  | { readonly kind: "answering"; readonly outcome: Promise<Outcome> };

export interface InboundSubmission {
  readonly interaction: Interaction;
  readonly formId: string;
  readonly values: FormValues;
  readonly state: string | undefined;
  /** How long the platform waits for the answer, counted from now (Slack: 3 s to keep the modal open or close it). */
  readonly budgetMs?: number;
  /** Tells the person later, should the save finish after the budget (Slack: a direct message). */
  readonly tellLater?: (view: MessageView) => Promise<void>;
}

export type SubmitReceipt =
  | { readonly kind: "answered"; readonly submission: Submission }
  /** Keep the form open with this said on it: the save failed, or is still running at the deadline. */
  | { readonly kind: "problem"; readonly message: string };

/** What adapters call. They import this and the view model, never the parser or the use cases. */
export interface InboundPort {
  /** The command words the core answers, for platforms that route by them (Slack's slash commands). */
  readonly commandNames: readonly CommandName[];
  command(request: InboundCommand): Promise<CommandReceipt>;
  /** Runs a command a web process queued (in a worker); resolves to what the person should read. */
  runQueued(command: DeferredCommand): Promise<MessageView>;
  press(interaction: Interaction, buttonId: string, value: string): Promise<Outcome>;
  submit(request: InboundSubmission): Promise<SubmitReceipt>;
  /** Keeps shutdown waiting for this work too (an adapter's rendering of an answer, say). */
  track<T>(work: Promise<T>): Promise<T>;
  /** Waits up to `patienceMs` for the work in flight; resolves to how many are still running. */
  drain(patienceMs: number): Promise<number>;
  /** Counts an acknowledgement, `seconds` after the request arrived. */
  acknowledged(platform: Platform, label: string, seconds: number): void;
}

export interface InboundDeps {
  debrief: Debrief;
  /** Where commands wait for a worker; without it every command runs where it arrives. */
  commands?: CommandQueue;
  metrics?: InboundMetrics;
  log: Logger;
}

export const NOT_SAVED_YET = "Nothing has been saved yet: this is taking longer than it should. Please try again in a moment.";

export function createInbound({ debrief, commands, metrics, log }: InboundDeps): InboundPort {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };
  const counted = (platform: Platform, name: string, outcome: string) => metrics?.commandAnswered(platform, name, outcome);

  async function answer(request: InboundCommand): Promise<Outcome> {
    const outcome = await debrief.command(request.interaction, request.name, request.text);
    counted(request.interaction.actor.platform, request.name, outcome.kind);
    return outcome;
  }

  return {
    commandNames: debrief.commandNames,

    async command(request) {
      const { interaction, name, text, replyTo } = request;
      const platform = interaction.actor.platform;
      // A form must open within the platform's trigger (Slack: 3 s), so a command that opens one runs here.
      if (!commands || !replyTo || debrief.opensForm(name, text)) return { kind: "answering", outcome: track(answer(request)) };
      try {
        await commands.defer({ interaction, name, text, replyTo });
      } catch (err) {
        log.error({ err, command: name, platform }, "could not queue a command");
        counted(platform, name, "not_taken");
        return { kind: "not_taken", view: notTakenView(text) };
      }
      metrics?.commandQueued(platform, name);
      return { kind: "queued" };
    },

    runQueued(command) {
      return track(
        (async (): Promise<MessageView> => {
          const platform = command.interaction.actor.platform;
          try {
            const outcome = await answer(command);
            // Commands that open forms are answered where they arrive; this is for safety, not a path in use.
            return outcome.kind === "reply" ? outcome.view : replyView(`Type /${command.name} again to open the form.`);
          } catch (err) {
            // The core answers its own failures; this is the last stop, and the user hears without a stack trace.
            logFailure(log, err, { command: command.name, platform }, "queued command");
            counted(platform, command.name, "error");
            return { text: userMessage(err) };
          }
        })(),
      );
    },

    press(interaction, buttonId, value) {
      return track(debrief.press(interaction, buttonId, value));
    },

    async submit({ interaction, formId, values, state, budgetMs, tellLater }) {
      // The save happens before the platform's answer, so a failure can keep the form open with everything typed.
      const saving = track(debrief.submitForm(interaction, formId, values, state));
      const settled = await within(saving, budgetMs ?? Number.POSITIVE_INFINITY);
      if (settled.kind === "answered") return settled;
      if (settled.kind === "failed") {
        logFailure(log, settled.error, { form: formId }, "form submission");
        return { kind: "problem", message: userMessage(settled.error) };
      }
      log.warn({ form: formId, budgetMs }, "form submission still running at the answer deadline");
      // The person was told nothing was saved yet; if it saves after all, say so, so they don't send it twice.
      void saving.then(
        async (late) => {
          if (late.kind !== "done" || !tellLater) return;
          log.warn({ form: formId }, "form saved after the deadline; telling the person");
          await tellLater({ ...late.view, text: `It was saved after all: ${late.view.text}`, context: "Your form was saved after all; no need to send it again." });
        },
        (err: unknown) => log.error({ err, form: formId }, "form submission failed after the deadline"),
      ).catch((err: unknown) => log.warn({ err }, "could not tell the person their form was saved late"));
      return { kind: "problem", message: NOT_SAVED_YET };
    },

    track,

    acknowledged(platform, label, seconds) {
      metrics?.acknowledged(platform, label, seconds);
    },

    async drain(patienceMs) {
      await withinTime(Promise.allSettled([...inFlight]), patienceMs, "work still in flight").catch(() => {});
      return inFlight.size;
    },
  };
}

/** Logs a failure as what it is: a refusal in the core's words is news; anything else is an error. */
export function logFailure(log: Logger, cause: unknown, fields: Record<string, unknown>, what: string): void {
  if (isRefusal(cause)) log.info({ ...fields, err: cause }, `${what} refused`);
  else log.error({ ...fields, err: cause }, `${what} failed`);
}

type Settled = { kind: "answered"; submission: Submission } | { kind: "failed"; error: unknown } | { kind: "late" };

/** Waits for the save, but not past the budget. */
async function within(saving: Promise<Submission>, budgetMs: number): Promise<Settled> {
  try {
    const submission = Number.isFinite(budgetMs) ? await withinTime(saving, Math.max(0, budgetMs), "the answer deadline passed") : await saving;
    return { kind: "answered", submission };
  } catch (error) {
    return error instanceof TimeLimitError ? { kind: "late" } : { kind: "failed", error };
  }
}
