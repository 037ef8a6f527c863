/** A command word a feature registered (`incident`, `action`, …): a slash command in Slack, a word typed to the bot elsewhere. */
export type CommandName = string;
import type { ChannelRef, PersonRef } from "./ports.ts";
import type { FormErrors, FormValues, FormView, MessageView } from "./views/view.ts";

/** Who is acting, and where: the channel the command was typed in, or null in a direct message. */
export interface Interaction {
  readonly actor: PersonRef;
  readonly channel: ChannelRef | null;
  /** The channel's name when the platform tells us, used to name a new team space. */
  readonly channelName?: string;
  /**
   * The platform's id for this one request, when it has one (Slack: a command's trigger_id; a press's person, message
   * and button; a form's person and view id). A request that arrives again (a retried job, a worker killed mid-way,
   * a platform resending) does its work once and is answered as the first was (src/requests/once.ts).
   */
  readonly requestId?: string;
}

/** What the user who acted sees: a reply only they can see, or a form to fill in. */
export type Outcome =
  | {
      readonly kind: "reply";
      readonly view: MessageView;
      /**
       * "pressed": the view replaces the message whose button was pressed, for everyone who sees it (a prompt that
       * becomes "Thank you" once answered). Where nothing was pressed in a message (a command, a Home tab or modal
       * button) it is shown as any other reply.
       */
      readonly replaces?: "pressed";
    }
  | { readonly kind: "form"; readonly form: FormView };

/** An answer to a button press that replaces the pressed message. */
export const updatePressed = (view: MessageView): Outcome => ({ kind: "reply", view, replaces: "pressed" });

export type Submission =
  /** The form stays open with these errors beside the inputs, and everything typed kept. */
  | { readonly kind: "errors"; readonly errors: FormErrors }
  | { readonly kind: "done"; readonly view: MessageView };

/** The core as adapters see it: every use case is reached through these three doors. */
export interface Debrief {
  /** The command words it answers (`incident`, `action`, …), as slash commands or typed to the bot. */
  readonly commandNames: readonly CommandName[];
  command(interaction: Interaction, name: CommandName, text: string): Promise<Outcome>;
  submitForm(interaction: Interaction, formId: string, values: FormValues, state: string | undefined): Promise<Submission>;
  press(interaction: Interaction, buttonId: string, value: string): Promise<Outcome>;
  /** Whether the command opens a form, which must happen while the platform's trigger lasts (Slack: 3 s). */
  opensForm(name: CommandName, text: string): boolean;
}

/**
 * A command acknowledged at once and answered by a worker: what the core needs to run it, and where the answer goes.
 * The web process only checks and queues it, so acknowledging never waits on the work (see jobs/command-queue.ts).
 */
export interface DeferredCommand {
  readonly interaction: Interaction;
  readonly name: CommandName;
  readonly text: string;
  /** The platform's address for the answer (Slack: the response_url and user), opaque to the core. */
  readonly replyTo: Readonly<Record<string, string>>;
}

/** Where the web process hands commands it has acknowledged; resolves once the command is stored. */
export interface CommandQueue {
  defer(command: DeferredCommand): Promise<void>;
}

/** Runs a deferred command through the core and gives its answer to the user; each platform adapter has one. */
export type CommandAnswerer = (command: DeferredCommand) => Promise<void>;
