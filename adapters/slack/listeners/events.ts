import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from "@slack/bolt";
import type { MessageView } from "../../../src/views/view.ts";
import { slackPerson } from "../interaction.ts";
import { toHome } from "../render.ts";
import type { ListenerDeps } from "./deps.ts";

const INTRO: MessageView = {
  text: "Debrief helps your team learn from incidents.",
  title: "Debrief",
  sections: [
    {
      text: [
        "Debrief helps your team learn from what goes wrong, and from what goes well. ",
        "Log an incident in seconds with ",
        { code: "/incident" },
        ": it is announced in your team channel (restricted incidents only by reference, with the details sent to your lead), ",
        "the people involved are asked to reflect, and follow-up actions get owners and due dates that Debrief keeps track of.",
      ],
    },
  ],
};

export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", homeOpened(deps));
}

function homeOpened(deps: ListenerDeps) {
  return async function handleHomeOpened({
    event,
    body,
    client,
  }: SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs): Promise<void> {
    // The Messages tab opening needs nothing from us.
    if (event.tab && event.tab !== "home") return;
    const interaction = { actor: slackPerson(body.team_id, event.user), channel: null };
    const receipt = await deps.inbound.command({ interaction, name: "debrief", text: "help" });
    const help = receipt.kind === "answering" ? await receipt.outcome : undefined;
    // Publishing is idempotent, so Slack retrying this event only redraws the same page.
    await client.views.publish({ user_id: event.user, view: toHome(INTRO, help?.kind === "reply" ? help.view : null) });
  };
}
