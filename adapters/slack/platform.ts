import type { AdapterContext, PlatformAdapter } from "../../src/platform.ts";
import { createSlackAdapter } from "./app.ts";
import { SlackFileDrop } from "./file-drop.ts";
import { slackLogger } from "./logger.ts";
import { slackPacing } from "./pacing.ts";
import { slackWebClient } from "./web-client.ts";

/** Slack behind the platform contract: Bolt over HTTP or Socket Mode, its Web API, and one post a second per channel. */
export async function slackPlatform({ inbound, config, log }: AdapterContext): Promise<PlatformAdapter> {
  if (!config.slack) throw new Error("Slack is not configured: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.");
  const slack = createSlackAdapter({ config: config.slack, inbound, log });
  return {
    platform: "slack",
    routes: slack.routes,
    chat: slack.chatPort,
    directory: slack.directory,
    // A Web API client with the chat port's options (base URL, no retries of its own, timeout).
    files: new SlackFileDrop(slackWebClient(config.slack, slackLogger(log.child({ platform: "slack" })))),
    pacing: slackPacing,
    answerQueued: slack.answerCommand,
    start: () => slack.start(),
    stop: () => slack.stop(),
  };
}
