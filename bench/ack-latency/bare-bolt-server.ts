import { serveBoltPeer } from "./bolt-peer.ts";

/**
 * The baseline: the same Bolt version with the same signing secret, whose `/incident` handler only acknowledges.
 * Whatever Debrief takes beyond this is Debrief's own cost.
 */
await serveBoltPeer();
