import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSlackAdapter, type SlackAdapter } from "../../adapters/slack/app.ts";
import { NOT_SAVED_YET } from "../../src/core/inbound.ts";
import { toBlocks, toModal } from "../../adapters/slack/render.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { createHttpServer, type HttpServer } from "../../src/infra/http-server.ts";
import { createMetrics, inboundMetrics, type Metrics } from "../../src/infra/metrics.ts";
import { createInbound } from "../../src/core/inbound.ts";
import { updatePressed, type CommandQueue, type Debrief, type DeferredCommand, type Interaction, type Outcome, type Submission } from "../../src/interaction.ts";
import type { FormValues, MessageView } from "../../src/views/view.ts";
import { startFakeSlack, type FakeSlack } from "../support/fake-slack.ts";
import {
  appHomeOpened,
  blockActions,
  send,
  SIGNING_SECRET,
  slashCommand,
  stateValues,
  viewSubmission,
  type SlackReply,
} from "../support/slack-requests.ts";
import { silentLog } from "../support/fakes.ts";
import { deferred } from "../support/wait.ts";

/**
 * The real Bolt app behind our HTTP server, with the core replaced by a script: proves the adapter's side of the
 * contract (signatures, acks, replies, modals, errors) without a database.
 */

type Script = {
  command: (i: Interaction, name: string, text: string) => Promise<Outcome>;
  submitForm: (i: Interaction, formId: string, values: FormValues, state: string | undefined) => Promise<Submission>;
  press: (i: Interaction, buttonId: string, value: string) => Promise<Outcome>;
};

const calls: { door: keyof Script; args: unknown[] }[] = [];
let script: Script;
const debrief: Debrief = {
  commandNames: ["incident", "action", "reflect", "debrief"],
  command: (...args) => (calls.push({ door: "command", args }), script.command(...args)),
  submitForm: (...args) => (calls.push({ door: "submitForm", args }), script.submitForm(...args)),
  press: (...args) => (calls.push({ door: "press", args }), script.press(...args)),
  // As the real core decides: /incident alone opens the form, so it runs where it arrives; the rest may be queued.
  opensForm: (name, text) => name === "incident" && text.trim() === "",
};

/**
 * The command queue at its port: it keeps what it is given and, as a worker would once the ack has gone, runs it
 * through the adapter's answerer. `down` makes it refuse, as when Redis cannot be reached.
 */
const queued: DeferredCommand[] = [];
const answered: Promise<void>[] = [];
let queueDown = false;
const commands: CommandQueue = {
  async defer(command) {
    if (queueDown) throw new Error("Redis did not take the command within 1500 ms");
    queued.push(command);
    setImmediate(() => answered.push(adapter.answerCommand(command)));
  },
};

const replyWith = (text: string): Outcome => ({ kind: "reply", view: { text, sections: [{ text }] } });
const FORM: Outcome = {
  kind: "form",
  form: {
    id: "incident.form",
    title: "Log an incident",
    submitLabel: "Log it",
    state: "from-C0INCIDENTS",
    inputs: [
      { kind: "text", id: "summary", label: "Summary" },
      { kind: "people", id: "people", label: "People involved", optional: true },
    ],
  },
};

let fake: FakeSlack;
let adapter: SlackAdapter;
let http: HttpServer;
let metrics: Metrics;
let endpoint: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  metrics = createMetrics();
  adapter = createSlackAdapter({
    config: { botToken: "xoxb-test", signingSecret: SIGNING_SECRET, appToken: null, apiUrl: fake.url },
    inbound: createInbound({ debrief, commands, metrics: inboundMetrics(metrics), log: silentLog }),
    log: silentLog,
  });
  http = createHttpServer({ routes: adapter.routes, readiness: [], metrics, log: silentLog });
  const port = await http.listen(0, "127.0.0.1");
  endpoint = `http://127.0.0.1:${port}/slack/events`;
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await http?.close();
  await fake?.close();
});

beforeEach(() => {
  calls.length = 0;
  queued.length = 0;
  answered.length = 0;
  queueDown = false;
  fake.reset();
  script = {
    command: async (_i, _n, text) => replyWith(`ok: ${text}`),
    submitForm: async () => ({ kind: "done", view: { text: "INC-1 logged", title: "INC-1 logged" } }),
    press: async () => replyWith("pressed"),
  };
});

function expectEmptyAck(reply: SlackReply): void {
  expect(reply.status).toBe(200);
  expect(reply.text).toBe("");
}

describe("slash commands", () => {
  it("queues the command, acknowledges with an empty body, then replies only to the person who typed", async () => {
    const request = slashCommand({ text: "medication low Missed meds", responseUrl: fake.responseUrl("c1") });
    const reply = await send(endpoint, request);
    expectEmptyAck(reply);
    expect(queued).toHaveLength(1);
    expect(queued[0]!.replyTo).toEqual({ responseUrl: fake.responseUrl("c1"), userId: "U0REPORTER" });
    const [answer] = await fake.waitForResponses("c1");
    expect(answer!.body).toMatchObject({ response_type: "ephemeral", text: "ok: medication low Missed meds" });
    expect(answer!.body.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "ok: medication low Missed meds" } }]);
    expect(calls[0]!.args).toEqual([
      {
        actor: { platform: "slack", workspaceId: "T0001", userId: "U0REPORTER" },
        channel: { platform: "slack", workspaceId: "T0001", channelId: "C0INCIDENTS" },
        channelName: "oak-house-incidents",
        requestId: request.payload.trigger_id,
      },
      "incident",
      "medication low Missed meds",
    ]);
  });

  it("says at once, in the acknowledgement, when the command cannot be queued, and gives back what was typed", async () => {
    queueDown = true;
    const reply = await send(endpoint, slashCommand({ text: "medication Missed meds &amp; fell", responseUrl: fake.responseUrl("down") }));
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.text) as Record<string, any>;
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("Debrief could not take that command just now, so nothing was saved. Please try again in a moment.");
    expect(JSON.stringify(body.blocks)).toContain("medication Missed meds &amp; fell");
    expect(calls).toEqual([]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/debrief_commands_total\{platform="slack",command="incident",outcome="not_taken"\} 1/);
  });

  it("fails the queued command when Slack refuses its reply, so the queue tries it again", async () => {
    fake.failNext("response_url", 1, { kind: "http", status: 500 });
    const command: DeferredCommand = {
      interaction: { actor: { platform: "slack", workspaceId: "T0001", userId: "U0REPORTER" }, channel: null, requestId: "1.2.3" },
      name: "debrief",
      text: "help",
      replyTo: { responseUrl: fake.responseUrl("retry"), userId: "U0REPORTER" },
    };
    await expect(adapter.answerCommand(command)).rejects.toThrow("Slack refused the reply to /debrief (HTTP 500");
    await adapter.answerCommand(command);
    expect(fake.responsesTo("retry").map((r) => r.body.text)).toEqual(["ok: help"]);
  });

  it("passes the command name and treats a direct message as no channel", async () => {
    await send(endpoint, slashCommand({ command: "/reflect", channelId: "D0REPORTER", channelName: "directmessage", responseUrl: fake.responseUrl("dm") }));
    await fake.waitForResponses("dm");
    expect(calls[0]!.args.slice(0, 2)).toEqual([
      { actor: { platform: "slack", workspaceId: "T0001", userId: "U0REPORTER" }, channel: null, requestId: expect.any(String) },
      "reflect",
    ]);
  });

  it("opens the form with the command's trigger_id", async () => {
    script.command = async () => FORM;
    const request = slashCommand({ responseUrl: fake.responseUrl("form") });
    expectEmptyAck(await send(endpoint, request));
    const [open] = await fake.waitForCalls("views.open");
    expect(open!.token).toBe("xoxb-test");
    expect(open!.body.trigger_id).toBe(request.payload.trigger_id);
    expect(open!.body.view).toMatchObject({ type: "modal", callback_id: "incident.form", private_metadata: "from-C0INCIDENTS" });
    expect(fake.responsesTo("form")).toEqual([]);
  });

  it("tells the user the core's words for a refusal, and a plain apology for anything else", async () => {
    script.command = async () => {
      throw new DomainError("FORBIDDEN", "Only the team's lead can do that.");
    };
    await send(endpoint, slashCommand({ text: "lead <@U2>", command: "/debrief", responseUrl: fake.responseUrl("refused") }));
    const [refused] = await fake.waitForResponses("refused");
    expect(refused!.body).toMatchObject({ response_type: "ephemeral", text: "Only the team's lead can do that." });

    script.command = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect");
    };
    await send(endpoint, slashCommand({ text: "list", responseUrl: fake.responseUrl("broken") }));
    const [broken] = await fake.waitForResponses("broken");
    expect(broken!.body.text).toBe("Sorry — something went wrong and nothing was saved. Please try again.");
    expect(JSON.stringify(broken!.body)).not.toMatch(/ECONNREFUSED|TCPConnectWrap/);
  });

  it("records the acknowledgement latency and the command count", async () => {
    await send(endpoint, slashCommand({ command: "/debrief", text: "help", responseUrl: fake.responseUrl("m") }));
    await fake.waitForResponses("m");
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/debrief_ack_latency_seconds_count\{platform="slack",command="debrief"\} [1-9]/);
    expect(text).toMatch(/debrief_commands_total\{platform="slack",command="debrief",outcome="reply"\} [1-9]/);
  });
});

describe("request verification", () => {
  it("refuses a forged signature with 401 and never reaches the core", async () => {
    const reply = await send(endpoint, slashCommand({ text: "forged" }), { forge: true });
    expect(reply.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it("refuses a request signed more than 5 minutes ago with 401", async () => {
    const reply = await send(endpoint, slashCommand({ text: "replayed" }), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(reply.status).toBe(401);
    expect(calls).toEqual([]);
  });
});

describe("form submissions", () => {
  it("keeps the modal open with the core's errors beside the inputs", async () => {
    script.submitForm = async () => ({ kind: "errors", errors: { summary: "Say what happened in a line.", nowhere: "Pick a category." } });
    const request = viewSubmission({ view: modalOf(FORM), answers: { summary: "", people: ["U0CARER"] } });
    const reply = await send(endpoint, request);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      response_action: "errors",
      // An error naming no input of the modal would make Slack reject the answer, so it joins the first input's.
      errors: { summary: "Say what happened in a line. Pick a category." },
    });
    expect(calls[0]!.args).toEqual([
      { actor: { platform: "slack", workspaceId: "T0001", userId: "U0REPORTER" }, channel: null, requestId: `submit-U0REPORTER-${request.payload.view.id}` },
      "incident.form",
      { summary: null, people: ["U0CARER"] },
      "from-C0INCIDENTS",
    ]);
  });

  it("replaces the modal with the confirmation when the form is saved", async () => {
    const reply = await send(endpoint, viewSubmission({ view: modalOf(FORM), answers: { summary: "Fall" } }));
    expect(reply.json).toMatchObject({
      response_action: "update",
      view: { type: "modal", title: { text: "Log an incident" }, blocks: [{ type: "header", text: { text: "INC-1 logged" } }] },
    });
  });

  it("answers within 3 seconds even when the save hangs, saying nothing is saved yet, and DMs if it saves later", async () => {
    // The save hangs until the test lets it finish, which it does only after Slack has had its answer.
    const save = deferred();
    script.submitForm = () => save.promise.then(() => ({ kind: "done", view: { text: "INC-9 logged" } }));
    const reply = await send(endpoint, viewSubmission({ view: modalOf(FORM), answers: { summary: "Fall" } }));
    expect(reply.ms).toBeLessThan(3000);
    expect(reply.json).toEqual({ response_action: "errors", errors: { summary: NOT_SAVED_YET } });
    save.resolve();
    const [dm] = await fake.waitForCalls("chat.postMessage", 1, 3000);
    expect(dm!.body).toMatchObject({ channel: "U0REPORTER", text: "It was saved after all: INC-9 logged" });
  });

  it("gives a modal submitted twice one request id, so the core saves it once, and another modal another", async () => {
    const modal = modalOf(FORM);
    await send(endpoint, viewSubmission({ view: modal, answers: { summary: "Fall" } }));
    await send(endpoint, viewSubmission({ view: modal, answers: { summary: "Fall" } }));
    await send(endpoint, viewSubmission({ view: modalOf(FORM), answers: { summary: "Fall" } }));
    const ids = calls.map((c) => (c.args[0] as Interaction).requestId);
    expect(ids[0]).toMatch(/^submit-U0REPORTER-V\w+$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it("keeps the modal open with an apology when the core throws", async () => {
    script.submitForm = async () => {
      throw new Error("boom");
    };
    const reply = await send(endpoint, viewSubmission({ view: modalOf(FORM), answers: { summary: "Fall" } }));
    expect(reply.json).toEqual({
      response_action: "errors",
      errors: { summary: "Sorry — something went wrong and nothing was saved. Please try again." },
    });
  });
});

describe("buttons and the App Home", () => {
  it("passes a pressed button's id and value, and replies ephemerally", async () => {
    const reply = await send(endpoint, blockActions({ actionId: "incident.details#1", value: "INC-3", responseUrl: fake.responseUrl("b") }));
    expectEmptyAck(reply);
    const [answer] = await fake.waitForResponses("b");
    expect(answer!.body).toMatchObject({ response_type: "ephemeral", text: "pressed" });
    expect(calls[0]!.args).toEqual([
      {
        actor: { platform: "slack", workspaceId: "T0001", userId: "U0REPORTER" },
        channel: { platform: "slack", workspaceId: "T0001", channelId: "C0INCIDENTS" },
        // The presser, the message, the button and its value: the same press again is the same request.
        requestId: "press-U0REPORTER-1764100000.000100-incident.details#1-INC-3",
      },
      "incident.details",
      "INC-3",
    ]);
  });

  it("gives a button pressed twice on one message one request id, so the core acts once, and another person's press another", async () => {
    for (const userId of ["U0REPORTER", "U0REPORTER", "U0LEAD"]) {
      expectEmptyAck(await send(endpoint, blockActions({ userId, actionId: "incident.details", value: "INC-3", responseUrl: fake.responseUrl("twice") })));
    }
    await fake.waitForResponses("twice", 3);
    const ids = calls.map((c) => (c.args[0] as Interaction).requestId).sort();
    expect(ids).toEqual([
      "press-U0LEAD-1764100000.000100-incident.details-INC-3",
      "press-U0REPORTER-1764100000.000100-incident.details-INC-3",
      "press-U0REPORTER-1764100000.000100-incident.details-INC-3",
    ]);
  });

  it("replaces the pressed message through its response_url when the press changes it", async () => {
    script.press = async () => updatePressed({ text: "Thank you for reflecting on INC-3", sections: [{ text: "Your answers are saved." }] });
    expectEmptyAck(await send(endpoint, blockActions({ actionId: "reflect.answer", value: "R-3", responseUrl: fake.responseUrl("pressed") })));
    const [answer] = await fake.waitForResponses("pressed");
    expect(answer!.body).toMatchObject({ replace_original: true, text: "Thank you for reflecting on INC-3" });
    // Left out, the message keeps the visibility it had: a channel post stays in the channel, an ephemeral one ephemeral.
    expect(answer!.body.response_type).toBeUndefined();
    expect(answer!.body.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "Your answers are saved." } }]);
  });

  it("takes answers given in a message as a form: saved, the message becomes the answer; refused, it stays and says why", async () => {
    const prompt: MessageView = {
      text: "Reflect on INC-3",
      answer: { inputs: [{ kind: "text", id: "feeling", label: "How did it feel?" }], submit: { id: "reflect.answer", label: "Send", value: "R-3" } },
    };
    const blocks = toBlocks(prompt) as Record<string, any>[];
    const submit = blocks.flatMap((b) => (b.type === "actions" ? b.elements : []))[0];
    const pressSend = (id: string) => {
      const request = blockActions({ actionId: submit.action_id, value: submit.value, responseUrl: fake.responseUrl(id) });
      const payload = { ...request.payload, state: { values: stateValues(blocks, { feeling: "Tired, but we handled it" }) } };
      return send(endpoint, { ...request, payload, body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() });
    };

    script.submitForm = async () => ({ kind: "errors", errors: { feeling: "Say a little more." } });
    expectEmptyAck(await pressSend("refused"));
    const [refused] = await fake.waitForResponses("refused");
    expect(refused!.body).toMatchObject({ response_type: "ephemeral", replace_original: false, text: "Not sent yet: Say a little more." });

    script.submitForm = async () => ({ kind: "done", view: { text: "Thank you for reflecting on INC-3" } });
    expectEmptyAck(await pressSend("saved"));
    const [saved] = await fake.waitForResponses("saved");
    expect(saved!.body).toMatchObject({ replace_original: true, text: "Thank you for reflecting on INC-3" });
    const submitted = calls.filter((c) => c.door === "submitForm").map((c) => c.args.slice(1));
    expect(submitted.at(-1)).toEqual(["reflect.answer", { feeling: "Tired, but we handled it" }, "R-3"]);
    expect(calls.some((c) => c.door === "press" && c.args[1] === "reflect.answer")).toBe(false);
  });

  it("sends a change to a Home tab button's message as a direct message, as there is no message to replace", async () => {
    script.press = async () => updatePressed({ text: "Thank you for reflecting on INC-3" });
    const inMessage = blockActions({ actionId: "reflect.answer", value: "R-3" });
    // Slack's press from the Home tab: its container is the view, and there is no channel or response_url.
    const { channel: _channel, response_url: _url, ...payload } = inMessage.payload;
    const fromHome = { ...payload, container: { type: "view", view_id: "V0HOME" }, view: { id: "V0HOME", type: "home" } };
    expectEmptyAck(await send(endpoint, { ...inMessage, payload: fromHome, body: new URLSearchParams({ payload: JSON.stringify(fromHome) }).toString() }));
    const [dm] = await fake.waitForCalls("chat.postMessage");
    expect(dm!.body).toMatchObject({ channel: "U0REPORTER", text: "Thank you for reflecting on INC-3" });
  });

  it("opens a form from a button with the press's trigger_id", async () => {
    script.press = async () => FORM;
    const request = blockActions({ actionId: "incident.details", value: "INC-3" });
    await send(endpoint, request);
    const [open] = await fake.waitForCalls("views.open");
    expect(open!.body.trigger_id).toBe(request.payload.trigger_id);
  });

  it("publishes the Home tab with an introduction and the help", async () => {
    script.command = async () => replyWith("/incident — log an incident");
    const reply = await send(endpoint, appHomeOpened({ userId: "U0NEW" }));
    expect(reply.status).toBe(200);
    const [publish] = await fake.waitForCalls("views.publish");
    expect(publish!.body.user_id).toBe("U0NEW");
    expect(publish!.body.view.type).toBe("home");
    expect(JSON.stringify(publish!.body.view)).toContain("/incident — log an incident");
    expect(calls[0]!.args.slice(1)).toEqual(["debrief", "help"]);
  });
});

/** The modal as Slack echoes it back in a view_submission. */
function modalOf(outcome: Outcome): Record<string, any> {
  if (outcome.kind !== "form") throw new Error("not a form");
  return JSON.parse(JSON.stringify(toModal(outcome.form))) as Record<string, any>;
}

describe("starting and stopping", () => {
  it("waits for work after the ack to finish before it stops, so the reply still goes out", async () => {
    const commandStarted = deferred();
    const answer = deferred();
    const own = createSlackAdapter({
      config: { botToken: "xoxb-test", signingSecret: SIGNING_SECRET, appToken: null, apiUrl: fake.url },
      inbound: createInbound({
        debrief: { ...debrief, command: () => (commandStarted.resolve(), answer.promise.then(() => replyWith("slow but sure"))) },
        commands,
        log: silentLog,
      }),
      log: silentLog,
    });
    const server = createHttpServer({ routes: own.routes, readiness: [], metrics: createMetrics(), log: silentLog });
    const port = await server.listen(0, "127.0.0.1");
    await own.start();
    expectEmptyAck(await send(`http://127.0.0.1:${port}/slack/events`, slashCommand({ responseUrl: fake.responseUrl("slow") })));
    await commandStarted.promise;
    await server.close();
    // The work is still running when the stop begins; it finishes only then, and the stop waits for its reply.
    const stopping = own.stop();
    answer.resolve();
    await stopping;
    expect(fake.responsesTo("slow")).toHaveLength(1);
  });

  it("refuses requests with 503 until the bot token has been checked", async () => {
    const own = createSlackAdapter({
      config: { botToken: "xoxb-test", signingSecret: SIGNING_SECRET, appToken: null, apiUrl: fake.url },
      inbound: createInbound({ debrief, commands, log: silentLog }),
      log: silentLog,
    });
    const server = createHttpServer({ routes: own.routes, readiness: [], metrics: createMetrics(), log: silentLog });
    const port = await server.listen(0, "127.0.0.1");
    try {
      expect((await send(`http://127.0.0.1:${port}/slack/events`, slashCommand())).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it("stops start-up with a clear message when Slack refuses the bot token", async () => {
    fake.failNext("auth.test", 1, { kind: "platform", error: "invalid_auth" });
    const own = createSlackAdapter({
      config: { botToken: "xoxb-revoked", signingSecret: SIGNING_SECRET, appToken: null, apiUrl: fake.url },
      inbound: createInbound({ debrief, commands, log: silentLog }),
      log: silentLog,
    });
    await expect(own.start()).rejects.toThrow("Slack refused SLACK_BOT_TOKEN (invalid_auth)");
  });

  it("serves no HTTP route in Socket Mode, where Slack connects over a WebSocket instead", () => {
    const own = createSlackAdapter({
      config: { botToken: "xoxb-test", signingSecret: null, appToken: "xapp-1-A0-1-abc", apiUrl: fake.url },
      inbound: createInbound({ debrief, commands, log: silentLog }),
      log: silentLog,
    });
    expect(own.routes).toEqual([]);
  });
});
