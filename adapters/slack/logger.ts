import { LogLevel, type Logger as SlackLogger } from "@slack/bolt";
import type { Logger } from "pino";

/**
 * Bolt and the Web API client log through this, so their lines land in our pino stream with our fields.
 * The level is pino's: setLevel from the SDK is ignored, so LOG_LEVEL alone decides.
 */
export function slackLogger(log: Logger): SlackLogger {
  const write = (level: "debug" | "info" | "warn" | "error") => (...parts: unknown[]) => {
    if (!log.isLevelEnabled(level)) return;
    const err = parts.find((p): p is Error => p instanceof Error);
    const msg = parts
      .filter((p) => p !== err)
      .map((p) => (typeof p === "string" ? p : safeJson(p)))
      .join(" ");
    if (err) log[level]({ err }, msg || err.message);
    else log[level](msg);
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    setLevel: () => {},
    getLevel: () =>
      log.isLevelEnabled("debug")
        ? LogLevel.DEBUG
        : log.isLevelEnabled("info")
          ? LogLevel.INFO
          : log.isLevelEnabled("warn")
            ? LogLevel.WARN
            : LogLevel.ERROR,
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
