import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, webApi } from "@slack/bolt";
import type { Logger } from "pino";
import type { Route } from "../../src/infra/http-server.ts";
import type { InboundPort } from "../../src/core/inbound.ts";
import type { CommandAnswerer } from "../../src/interaction.ts";
import { slackCommandAnswerer } from "./answer-command.ts";
import { SlackChatPort } from "./chat-port.ts";
import { SlackDirectory } from "./directory.ts";
import { reportErrors } from "./errors.ts";
import { register as registerActions } from "./listeners/actions.ts";
import { register as registerCommands } from "./listeners/commands.ts";
import { register as registerEvents } from "./listeners/events.ts";
import { register as registerViews } from "./listeners/views.ts";
import { slackLogger } from "./logger.ts";
import { arrivalProperties, stampArrival, tagRequest } from "./request-context.ts";
import { slackWebClient, webClientOptions, type SlackConfig } from "./web-client.ts";

export const EVENTS_PATH = "/slack/events";

// Longer than any listener should run (the core's database calls time out in about 2 s), short of a pod's grace period.
const STOP_PATIENCE_MS = 10_000;

export interface SlackAdapterOptions {
  config: SlackConfig;
  /** The core's inbound pipeline: every request goes there, and what it answers is rendered here. */
  inbound: InboundPort;
  log: Logger;
}

export interface SlackAdapter {
  /** POST /slack/events over HTTP; none in Socket Mode, where Slack is reached over a WebSocket instead. */
  routes: Route[];
  chatPort: SlackChatPort;
  directory: SlackDirectory;
  /** For the worker role: runs a queued slash command and replies through its response_url. */
  answerCommand: CommandAnswerer;
  /** Checks the bot token (auth.test) and, in Socket Mode, connects. Requests wait for it. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Slack adapter: Bolt receives and verifies requests (over our HTTP server, or Socket Mode when an app token is
 * set) and hands them to listeners that call the core; the chat port and directory serve the rest of Debrief.
 */
export function createSlackAdapter({ config, inbound, log }: SlackAdapterOptions): SlackAdapter {
  const slackLog = log.child({ platform: "slack" });
  const logger = slackLogger(slackLog);
  const clientOptions = webClientOptions(config, logger);
  const common = {
    token: config.botToken,
    logger,
    clientOptions,
    // auth.test runs in start(), where a bad token can stop start-up with a clear message.
    deferInitialization: true,
    extendedErrorHandler: true,
    // Bolt's conversation store is a per-request middleware we have no use for.
    convoStore: false as const,
  };

  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.appToken) {
    app = new App({ ...common, appToken: config.appToken, socketMode: true });
  } else {
    if (!config.signingSecret) throw new Error("SLACK_SIGNING_SECRET is needed to receive Slack requests over HTTP.");
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: EVENTS_PATH,
      // Ack as soon as a listener calls ack(); the work after it goes on without holding Slack's request.
      processBeforeResponse: false,
      logger,
      customPropertiesExtractor: arrivalProperties,
    });
    app = new App({ ...common, receiver });
  }

  const deps = { inbound, log: slackLog };
  // Work goes on after the ack (the core, the reply); the pipeline keeps stop() waiting for it, so a SIGTERM loses no reply.
  app.use(async function trackInFlight({ next }) {
    await inbound.track(next());
  });
  app.use(tagRequest);
  registerCommands(app, deps);
  registerViews(app, deps);
  registerActions(app, deps);
  registerEvents(app, deps);
  reportErrors(app, deps);

  const web = slackWebClient(config, logger);
  let starting: Promise<void> | undefined;
  let ready = false;
  let stopped = false;

  const routes: Route[] = [];
  if (receiver) {
    const listener = receiver.requestListener;
    routes.push({
      method: "POST",
      path: EVENTS_PATH,
      async handler(req: IncomingMessage, res: ServerResponse) {
        stampArrival(req);
        // Bolt cannot authorize a request before auth.test has run; a request that early waits for it.
        if (!ready && starting) await starting.catch(() => {});
        if (!ready || stopped) {
          res.writeHead(503, { "retry-after": "1" }).end();
          return;
        }
        listener(req, res);
      },
    });
  }

  return {
    routes,
    chatPort: new SlackChatPort(web),
    directory: new SlackDirectory(web),
    answerCommand: slackCommandAnswerer({ inbound, log: slackLog }),
    start() {
      starting ??= (async () => {
        try {
          await app.init();
        } catch (err) {
          throw tokenProblem(err, config);
        }
        if (config.appToken) await app.start();
        ready = true;
        slackLog.info({ mode: config.appToken ? "socket" : "http" }, "slack adapter ready");
      })();
      return starting;
    },
    async stop() {
      stopped = true;
      if (config.appToken && starting) await app.stop();
      const running = await inbound.drain(STOP_PATIENCE_MS);
      if (running) slackLog.warn({ requests: running }, "requests still running at shutdown");
    },
  };
}

/** auth.test failing at start-up, said in words that tell the operator what to fix. */
function tokenProblem(err: unknown, config: SlackConfig): Error {
  if (err instanceof Error && "code" in err && err.code === webApi.ErrorCode.PlatformError) {
    const code = (err as webApi.WebAPIPlatformError).data.error;
    return new Error(
      `Slack refused SLACK_BOT_TOKEN (${code}); use the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page.`,
      { cause: err },
    );
  }
  return new Error(`could not reach Slack's Web API at ${config.apiUrl} to check SLACK_BOT_TOKEN: ${String(err)}`, {
    cause: err,
  });
}
