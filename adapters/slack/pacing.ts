import type { Conversation, Pacing } from "../../src/platform.ts";

/**
 * chat.postMessage allows about one message a second per channel (PLATFORMS.md); a direct message is a channel too.
 * Slack tolerates short bursts, but how short it does not say, so none are taken: one a second, evenly.
 */
export const slackPacing = (_conversation: Conversation): Pacing => ({ perSecond: 1 });
