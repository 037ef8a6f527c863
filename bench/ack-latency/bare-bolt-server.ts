import { App, HTTPReceiver } from "@slack/bolt";
import type { AddressInfo } from "node:net";
import { serveParent } from "./ipc.ts";

/**
 * The baseline: the same Bolt version with the same signing secret, whose `/incident` handler only acknowledges.
 * Whatever Debrief takes beyond this is Debrief's own cost.
 */

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "", endpoints: "/slack/events" });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? "",
  receiver,
  // auth.test goes to the fake Slack, as Debrief's does.
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "" },
});
app.command("/incident", async function acknowledgeOnly({ ack }) {
  await ack();
});

const server = await app.start({ port: 0, host: "127.0.0.1" });

serveParent(
  { port: (server.address() as AddressInfo).port, pid: process.pid },
  { cpu: () => process.cpuUsage() },
  async () => {
    await app.stop();
  },
);
