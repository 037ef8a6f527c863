import type { Settings } from "../config.ts";
import type { Interaction, Outcome, Submission } from "../interaction.ts";
import type { CoreDeps } from "../usecases/deps.ts";
import type { FormValues, MessageView } from "../views/view.ts";

/**
 * A feature module (DESIGN.md, "Seams"): the commands, buttons and forms it answers, registered with the core, which
 * routes to them by name and turns what they throw into what the person reads. Adding a feature is a folder and one
 * line in src/create-debrief.ts.
 */
export interface Feature {
  readonly commands?: Readonly<Record<string, CommandRoute<never>>>;
  /** Buttons by id ("incident.details"); the value is what the button carried. */
  readonly buttons?: Readonly<Record<string, (request: Request, value: string) => Promise<Outcome>>>;
  /** Forms by id ("incident.new"); the state is what the form carried when it was opened. */
  readonly forms?: Readonly<Record<string, (request: Request, values: FormValues, state: string | undefined) => Promise<Submission>>>;
}

/** One command word (`/incident`): how its text is read, and what each reading does. */
export interface CommandRoute<C> {
  /** Its forms, one a line, as help and problem replies show them. */
  readonly usage: string;
  /** Reads the text after the command word; what cannot be read is `invalid`, said in the person's terms. */
  parse(text: string): C | Invalid;
  /** Whether answering opens a form, which must happen while the platform's trigger lasts (Slack: 3 s). */
  opensForm?(command: C): boolean;
  run(request: Request, command: C, typed: string): Promise<Outcome>;
}

export interface Invalid {
  readonly kind: "invalid";
  readonly problem: string;
  readonly usage: string;
  readonly typed: string;
}

/** Everything a feature's handler may reach for one request: who and where, the use cases' ports, and help. */
export interface Request {
  readonly interaction: Interaction;
  readonly deps: FeatureDeps;
  /** Help for every command the core answers, from their usages. */
  help(): MessageView;
}

/** The core's ports as features see them; settings are read, as well as shown, through `config` (no secrets). */
export type FeatureDeps = CoreDeps & { config: Settings };

/** A feature's typed route, stored beside others of other command types. */
export const command = <C>(route: CommandRoute<C>): CommandRoute<never> => route as unknown as CommandRoute<never>;
