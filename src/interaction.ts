import type { CommandName } from "./commands/command.ts";
import type { ChannelRef, PersonRef } from "./ports.ts";
import type { FormErrors, FormValues, FormView, MessageView } from "./views/view.ts";

/** Who is acting, and where: the channel the command was typed in, or null in a direct message. */
export interface Interaction {
  readonly actor: PersonRef;
  readonly channel: ChannelRef | null;
  /** The channel's name when the platform tells us, used to name a new team space. */
  readonly channelName?: string;
}

/** What the user who acted sees: a reply only they can see, or a form to fill in. */
export type Outcome =
  | { readonly kind: "reply"; readonly view: MessageView }
  | { readonly kind: "form"; readonly form: FormView };

export type Submission =
  /** The form stays open with these errors beside the inputs, and everything typed kept. */
  | { readonly kind: "errors"; readonly errors: FormErrors }
  | { readonly kind: "done"; readonly view: MessageView };

/** The core as adapters see it: every use case is reached through these three doors. */
export interface Debrief {
  command(interaction: Interaction, name: CommandName, text: string): Promise<Outcome>;
  submitForm(interaction: Interaction, formId: string, values: FormValues, state: string | undefined): Promise<Submission>;
  press(interaction: Interaction, buttonId: string, value: string): Promise<Outcome>;
}
