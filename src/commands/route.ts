import { command, type CommandRoute, type Request } from "../core/feature.ts";
import type { Outcome } from "../interaction.ts";
import type { Command, CommandName } from "./command.ts";
import { parseCommand, USAGE } from "./parse.ts";

type Invalid = Extract<Command, { kind: "invalid" }>;

/** A route for one of the built-in command words, read by the shared grammar in parse.ts. */
export function grammarRoute<C extends Exclude<Command, Invalid>>(
  name: CommandName,
  run: (request: Request, command: C, typed: string) => Promise<Outcome>,
  opensForm?: (command: C) => boolean,
): CommandRoute<never> {
  return command<C>({
    usage: USAGE[name],
    // The grammar gives this word's commands, or a problem in the person's terms.
    parse: (text) => parseCommand(name, text) as C | Invalid,
    ...(opensForm ? { opensForm } : {}),
    run,
  });
}
