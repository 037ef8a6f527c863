import { pino } from "pino";
import { parseArgs } from "node:util";
import { ConfigError, readConfig, ROLES, usesConsole, type Role } from "./config.ts";
import { createLogger } from "./infra/logger.ts";
import { start } from "./runtime.ts";

/** `npm start [-- --role web|worker]`: one process runs everything unless a role is named. */
async function main(): Promise<void> {
  let role: Role;
  let config;
  try {
    const { values } = parseArgs({ options: { role: { type: "string", default: "all" } } });
    if (!(ROLES as readonly string[]).includes(values.role)) {
      throw new ConfigError(`--role ${values.role} is not a role; use --role web, --role worker, or leave it out to run both.`);
    }
    role = values.role as Role;
    config = readConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      process.stderr.write(`debrief: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const consoleMode = usesConsole(config);
  // In the console the terminal is the chat, so logs go to a file beside the data (synchronously, as to stdout).
  const logFile = consoleMode ? pino.destination({ dest: `${config.dataDir}/debrief.log`, sync: true, mkdir: true }) : undefined;
  const log = createLogger(config.logLevel, logFile);

  let running;
  try {
    running = await start(config, { role, log, terminal: { input: process.stdin, output: process.stdout, user: process.env.USER ?? "you" } });
  } catch (err) {
    log.fatal({ err }, "start-up failed");
    process.stderr.write(`debrief: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing what is in flight");
    await running.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  void running.finished.then(() => shutdown("end of console input"));
}

await main();
