import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

// Tokens and secrets must never reach log storage, whichever object they were logged inside.
const REDACT = [
  "token", "*.token", "botToken", "*.botToken", "appToken", "*.appToken",
  "secret", "*.secret", "signingSecret", "*.signingSecret",
  "password", "*.password", "appPassword", "*.appPassword",
  "authorization", "headers.authorization", "*.headers.authorization", "*.headers.cookie",
  'req.headers["x-slack-signature"]',
];

/** JSON lines to stdout (or `destination`, for tests), one shape for every process role. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: "debrief" }, redact: { paths: REDACT, censor: "[redacted]" } };
  // Written synchronously: main.ts calls process.exit() right after its last line ("stopped", "start-up failed"),
  // and pino's default asynchronous stdout loses a line still being written then, or prints it after a later one.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
