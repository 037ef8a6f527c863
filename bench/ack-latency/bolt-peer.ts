import { App, HTTPReceiver, type SlashCommand } from "@slack/bolt";
import type { AddressInfo } from "node:net";
import { serveParent } from "./ipc.ts";

/**
 * A Bolt app of the bench's own, built the same way for every peer Debrief is compared with: the same Bolt (5.1), the
 * same signing secret, an HTTPReceiver, and an `/incident` handler that acknowledges, after storing the command when
 * the peer stores one. What a peer takes beyond the bare one is the price of its store.
 */

export interface PeerOptions {
  /** Keeps the command before it is acknowledged; none for the bare app. */
  store?: (command: SlashCommand) => Promise<void>;
  /** Releases the store's connections (and anything it created) when the bench stops the peer. */
  close?: () => Promise<void>;
}

// Loaded only when profiling, so the headline runs carry no profiler.
const profiler = process.env.BENCH_PROFILE === "1" ? await import("./cpu-profile.ts") : null;

export async function serveBoltPeer({ store, close }: PeerOptions = {}): Promise<void> {
  const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "", endpoints: "/slack/events" });
  const app = new App({
    token: process.env.SLACK_BOT_TOKEN ?? "",
    receiver,
    // auth.test goes to the fake Slack, as Debrief's does. With verification on (Bolt's default, named here because it
    // matters) it runs once, at start, and every request reuses its answer; turned off, Bolt would call it per request.
    clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "" },
    tokenVerificationEnabled: true,
    // As Debrief's app: no per-request conversation-store middleware, so the peers carry no work Debrief does not.
    convoStore: false,
  });
  app.command(
    "/incident",
    store
      ? async function storeThenAcknowledge({ command, ack }) {
          await store(command);
          await ack();
        }
      : async function acknowledgeOnly({ ack }) {
          await ack();
        },
  );

  const server = await app.start({ port: 0, host: "127.0.0.1" });

  serveParent(
    { port: (server.address() as AddressInfo).port, pid: process.pid },
    {
      // CPU time used so far (µs): the bench reads it before and after each window to get the cost per acknowledgement.
      cpu: () => process.cpuUsage(),
      // A peer has no breakdown of its own; with BENCH_PROFILE=1 it writes a CPU profile per phase, as Debrief does.
      timings: () => null,
      startProfile: () => profiler?.startProfile(),
      stopProfile: (path: string) => profiler?.stopProfile(path),
    },
    async () => {
      await app.stop();
      await close?.();
    },
  );
}
