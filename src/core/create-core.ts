import { DomainError } from "../domain/errors.ts";
import { cleanText, cleanValues } from "../domain/text.ts";
import type { Debrief, Interaction, Outcome, Submission } from "../interaction.ts";
import { once } from "../requests/once.ts";
import { isStoreUnavailable } from "../store/unavailable.ts";
import { helpView } from "../views/help-view.ts";
import { problemView, replyView, unavailableView } from "../views/reply-views.ts";
import type { CommandRoute, Feature, FeatureDeps, Request } from "./feature.ts";
import type { MessageView } from "../views/view.ts";
import { SORRY } from "./user-message.ts";

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

/**
 * The core behind every adapter: it routes each command, button and form to the feature that registered it, does each
 * request once (src/requests/once.ts), cleans what comes in, and turns what goes wrong into words, in one place.
 */
export function createCore(deps: FeatureDeps, features: readonly Feature[]): Debrief {
  const commands = registry(features, (f) => f.commands, "command");
  const buttons = registry(features, (f) => f.buttons, "button");
  const forms = registry(features, (f) => f.forms, "form");
  const help = () => helpView([...commands.values()].map((route) => route.usage));
  const request = (interaction: Interaction, inRequest: FeatureDeps): Request => ({ interaction, deps: inRequest, help });

  return {
    commandNames: [...commands.keys()],

    opensForm(name, text) {
      const route: CommandRoute<unknown> | undefined = commands.get(name);
      const parsed = route?.parse(cleanText(text));
      return Boolean(route && parsed && !isInvalid(parsed) && route.opensForm?.(parsed));
    },

    async command(interaction, name, text) {
      text = cleanText(text); // each door cleans what comes in, once for every use case (src/domain/text.ts)
      interaction = withCleanChannelName(interaction);
      const route: CommandRoute<unknown> | undefined = commands.get(name);
      if (!route) return reply(problemView(`/${name} is not a Debrief command.`, undefined, text));
      const parsed = route.parse(text);
      if (isInvalid(parsed)) return reply(problemView(parsed.problem, parsed.usage, parsed.typed));
      // What they typed comes back as they typed it (the adapter has undone any platform escaping).
      return guarded(deps, interaction, text, () => once(deps, interaction, (inRequest) => route.run(request(interaction, inRequest), parsed, text)));
    },

    async submitForm(interaction, formId, values, state) {
      values = cleanValues(values);
      // The state comes back with the answers, from outside like them: a NUL in a channel id would fail its query.
      if (state !== undefined) state = cleanText(state);
      const form = forms.get(formId);
      try {
        if (!form) throw new DomainError("INVALID", "This form is from an older version of Debrief. Please open it again.");
        return await once(deps, interaction, (inRequest): Promise<Submission> => form(request(interaction, inRequest), values, state));
      } catch (err) {
        // Keep the form open with everything typed, and say why on its first input.
        return { kind: "errors", errors: { summary: formFailure(deps, interaction, err) } };
      }
    },

    async press(interaction, buttonId, value) {
      value = cleanText(value);
      const button = buttons.get(buttonId);
      if (!button) return reply(replyView("That button is from an older version of Debrief. Try /debrief help."));
      return guarded(deps, interaction, "", () => once(deps, interaction, (inRequest) => button(request(interaction, inRequest), value)));
    },
  };
}

/** Every feature's entries of one kind by name; two features answering the same name is a mistake found at start. */
function registry<T>(features: readonly Feature[], entries: (f: Feature) => Readonly<Record<string, T>> | undefined, kind: string): Map<string, T> {
  const all = new Map<string, T>();
  for (const feature of features) {
    for (const [name, entry] of Object.entries(entries(feature) ?? {})) {
      if (all.has(name)) throw new Error(`two features answer the ${kind} ${name}`);
      all.set(name, entry);
    }
  }
  return all;
}

const isInvalid = (parsed: unknown): parsed is { kind: "invalid"; problem: string; usage: string; typed: string } =>
  typeof parsed === "object" && parsed !== null && (parsed as { kind?: unknown }).kind === "invalid";

/** The platform's name for a channel becomes a team's name at setup, so it is cleaned as typed text is; blank is none. */
function withCleanChannelName(interaction: Interaction): Interaction {
  if (interaction.channelName === undefined) return interaction;
  const { channelName, ...rest } = interaction;
  const clean = cleanText(channelName).trim();
  return clean === "" ? rest : { ...rest, channelName: clean };
}

/**
 * What went wrong, in one place: a refusal in the core's words, the database being away, or a fault. Logged once as
 * what it is; the door that asked says it in its own words.
 */
function failure(deps: FeatureDeps, interaction: Interaction, err: unknown, what: string): { kind: "refused"; message: string } | { kind: "unavailable" | "fault" } {
  if (err instanceof DomainError) return { kind: "refused", message: err.message };
  if (isStoreUnavailable(err)) {
    deps.log.warn({ err, userId: interaction.actor.userId }, "database unavailable");
    return { kind: "unavailable" };
  }
  deps.log.error({ err, userId: interaction.actor.userId }, `${what} failed`);
  return { kind: "fault" };
}

async function guarded(deps: FeatureDeps, interaction: Interaction, typed: string, work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    const failed = failure(deps, interaction, err, "command");
    if (failed.kind === "unavailable") return reply(unavailableView(typed));
    return reply(problemView(failed.kind === "refused" ? failed.message : SORRY, undefined, typed));
  }
}

/** A form's failure, said on the form so it stays open with everything typed. */
function formFailure(deps: FeatureDeps, interaction: Interaction, err: unknown): string {
  const failed = failure(deps, interaction, err, "form submission");
  if (failed.kind === "refused") return failed.message;
  return failed.kind === "unavailable"
    ? "Debrief could not reach its database, so nothing was saved. Please submit again in a moment."
    : "Sorry — something went wrong and nothing was saved. Please submit again.";
}
