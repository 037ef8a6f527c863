import type { AdapterContext, PlatformAdapter } from "../../src/platform.ts";
import { AnswerBook } from "./answer-book.ts";
import { ConsoleChatPort, ConsoleDirectory } from "./chat-port.ts";
import { ConsoleFileDrop } from "./file-drop.ts";
import { toConsoleName } from "./names.ts";
import { consolePacing } from "./pacing.ts";
import { Screen } from "./screen.ts";
import { runConsole } from "./session.ts";

/** The terminal behind the platform contract: a chat with the bot in this process's foreground. */
export async function consolePlatform({ inbound, config, log, terminal }: AdapterContext): Promise<PlatformAdapter> {
  const input = terminal?.input ?? process.stdin;
  const output = terminal?.output ?? process.stdout;
  const user = terminal?.user ?? "you";
  const answers = new AnswerBook();
  // One terminal for the chat and the bot's own messages: a prompt DM arriving while someone types is printed above the prompt.
  const screen = new Screen(output);
  let ended!: () => void;
  const finished = new Promise<void>((resolve) => (ended = resolve));
  return {
    platform: "console",
    routes: [],
    chat: new ConsoleChatPort({ output, answers, screen }),
    // Whoever starts the console is its admin, as the person who installs an app is in Slack.
    directory: new ConsoleDirectory(config.timeZone, toConsoleName(user)),
    files: new ConsoleFileDrop(config.dataDir),
    pacing: consolePacing,
    foreground: true,
    async start() {
      void runConsole({ inbound, input, output, user, timeZone: config.timeZone, log, answers, screen }).then(ended, ended);
    },
    async stop() {},
    finished,
  };
}
