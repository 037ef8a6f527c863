import { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConsole } from "../../adapters/console/session.ts";
import { createSlackAdapter, type SlackAdapter } from "../../adapters/slack/app.ts";
import { createCore } from "../../src/core/create-core.ts";
import { command, type Feature } from "../../src/core/feature.ts";
import { createInbound, type InboundPort } from "../../src/core/inbound.ts";
import { readConfig } from "../../src/config.ts";
import { createHttpServer, type HttpServer } from "../../src/infra/http-server.ts";
import { createMetrics } from "../../src/infra/metrics.ts";
import { startFakeSlack, type FakeSlack } from "../support/fake-slack.ts";
import { FakeDirectory, FakeScheduler, silentLog } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { blockActions, send, SIGNING_SECRET, slashCommand, viewSubmission } from "../support/slack-requests.ts";

/**
 * A feature is a folder and one registration (DESIGN.md, "Seams"): this one is made here, in the test, with a command,
 * a button and a form, and driven through the real Slack adapter and the console without a change anywhere else.
 */
const greetings: Feature = {
  commands: {
    greet: command<{ name: string }>({
      usage: "/greet <name>                             say hello",
      parse: (text) => (text.trim() ? { name: text.trim() } : { kind: "invalid", problem: "Who should I greet?", usage: "/greet <name>", typed: text }),
      run: async (_request, { name }) => ({
        kind: "reply",
        view: { text: `Hello, ${name}!`, sections: [{ text: `Hello, ${name}!` }], buttons: [{ id: "greet.again", label: "Again", value: name }] },
      }),
    }),
  },
  buttons: {
    "greet.again": async (_request, value) => ({
      kind: "form",
      form: { id: "greet.note", title: "A note", submitLabel: "Send", state: value, inputs: [{ kind: "text", id: "note", label: "Your note" }] },
    }),
  },
  forms: {
    "greet.note": async ({ interaction }, values, state) => ({
      kind: "done",
      view: { text: `Noted for ${state}: ${String(values["note"])} (from ${interaction.actor.userId})` },
    }),
  },
};

let database: TestDatabase;
let inbound: InboundPort;
let fake: FakeSlack;
let slack: SlackAdapter;
let http: HttpServer;
let endpoint: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const directory = new FakeDirectory();
  const core = createCore(
    { db: database.db, deliveries: new FakeScheduler(), directories: { slack: directory, console: directory }, files: {}, prompts: new FakeScheduler(), config: readConfig({}), log: silentLog, now: () => new Date() },
    [greetings],
  );
  inbound = createInbound({ debrief: core, log: silentLog });
  fake = await startFakeSlack();
  slack = createSlackAdapter({ config: { botToken: "xoxb-test", signingSecret: SIGNING_SECRET, appToken: null, apiUrl: fake.url }, inbound, log: silentLog });
  http = createHttpServer({ routes: slack.routes, readiness: [], metrics: createMetrics(), log: silentLog });
  endpoint = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/slack/events`;
  await slack.start();
});

afterAll(async () => {
  await slack?.stop();
  await http?.close();
  await fake?.close();
  await database?.drop();
});

describe("a feature registered in a test", () => {
  it("answers its command, opens its form from its button and saves the form, through Slack", async () => {
    await send(endpoint, slashCommand({ command: "/greet", text: "Sam", responseUrl: fake.responseUrl("greet") }));
    const [reply] = await fake.waitForResponses("greet");
    expect(JSON.stringify(reply!.body)).toContain("Hello, Sam!");

    await send(endpoint, blockActions({ actionId: "greet.again", value: "Sam", responseUrl: fake.responseUrl("again") }));
    const [opened] = await fake.waitForCalls("views.open");
    expect(opened!.body.view).toMatchObject({ callback_id: "greet.note", private_metadata: "Sam" });

    const saved = await send(endpoint, viewSubmission({ view: opened!.body.view as Record<string, any>, answers: { note: "well done" } }));
    expect(JSON.stringify(saved.json)).toContain("Noted for Sam: well done");
  });

  it("says what is wrong with its command in its own words, through Slack", async () => {
    await send(endpoint, slashCommand({ command: "/greet", text: "", responseUrl: fake.responseUrl("nobody") }));
    const [reply] = await fake.waitForResponses("nobody");
    expect(JSON.stringify(reply!.body)).toContain("Who should I greet?");
  });

  it("answers the same command, button and form in the console", async () => {
    const printed = await typeInConsole(["/greet Jo", "/press greet.again Jo", "well said"]);
    expect(printed).toContain("Hello, Jo!");
    expect(printed).toContain("/press greet.again Jo");
    expect(printed).toContain("Noted for Jo: well said (from alice)");
  });
});

async function typeInConsole(lines: readonly string[]): Promise<string> {
  let printed = "";
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed += chunk.toString();
      done();
    },
  });
  await runConsole({ inbound, input: Readable.from([`${lines.join("\n")}\n`]), output, user: "alice", timeZone: "Europe/London" });
  return printed;
}
