import type { Conversation, Pacing } from "../../src/platform.ts";

/** A terminal takes whatever is printed to it: unpaced (the delivery worker then asks Redis nothing). */
export const consolePacing = (_conversation: Conversation): Pacing => ({ perSecond: Infinity });
