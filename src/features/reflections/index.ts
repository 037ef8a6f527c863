import type { Command } from "../../commands/command.ts";
import { grammarRoute } from "../../commands/route.ts";
import type { Feature } from "../../core/feature.ts";
import { replyView } from "../../views/reply-views.ts";

/** Reflection prompts: /reflect. Not built yet, so it says so and saves nothing. */

type ReflectCommand = Extract<Command, { kind: `reflect.${string}` }>;

export const reflections: Feature = {
  commands: {
    reflect: grammarRoute<ReflectCommand>("reflect", async () => ({
      kind: "reply",
      view: replyView("Reflection prompts are not switched on in this version of Debrief yet, so nothing was saved. /debrief help shows what you can do now."),
    })),
  },
};
