import { webApi } from "@slack/bolt";
import type { Config } from "../../src/config.ts";

export type SlackConfig = NonNullable<Config["slack"]>;

/**
 * Options for every Slack Web API client we make. The client must not retry or wait on its own: the delivery queue
 * owns retries (and honours Retry-After per job), and a listener has seconds, not minutes, before its trigger expires.
 */
export function webClientOptions(slack: SlackConfig, logger: webApi.WebClientOptions["logger"]): webApi.WebClientOptions {
  return {
    slackApiUrl: slack.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    // A Slack API call that hangs would hold a delivery job or a listener forever.
    timeout: 10_000,
    ...(logger ? { logger } : {}),
  };
}

export function slackWebClient(slack: SlackConfig, logger?: webApi.WebClientOptions["logger"]): webApi.WebClient {
  return new webApi.WebClient(slack.botToken, webClientOptions(slack, logger));
}
