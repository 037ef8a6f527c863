import type { PhysicalHarm } from "../domain/harm.ts";
import type { TeamSettingName } from "../domain/team-settings.ts";

/** A user named in a command: the platform's own user id (`U123` from Slack's `<@U123>`, `alice` from the console's `@alice`). */
export interface Mention {
  readonly userId: string;
}

/** Every command in DESIGN.md's contract, parsed from the text after the slash command's name. */
export type Command =
  | { kind: "incident.form"; category: string | null; harm: PhysicalHarm | null }
  | { kind: "incident.log"; category: string | null; harm: PhysicalHarm | null; summary: string }
  | { kind: "incident.list" }
  | { kind: "incident.show"; ref: number }
  | { kind: "incident.close"; ref: number; lesson: string | null }
  | { kind: "action.add"; incidentRef: number; owner: Mention; due: string; text: string }
  | { kind: "action.list"; person: Mention | null }
  | { kind: "action.done"; ref: number; note: string | null }
  | { kind: "action.reassign"; ref: number; person: Mention }
  | { kind: "action.extend"; ref: number; due: string }
  | { kind: "action.cancel"; ref: number; reason: string }
  | { kind: "reflect.pending" }
  | { kind: "reflect.export" }
  | { kind: "reflect.team" }
  | { kind: "debrief.setup" }
  | { kind: "debrief.manager"; person: Mention; manager: Mention }
  | { kind: "debrief.lead"; person: Mention }
  | { kind: "debrief.member"; person: Mention }
  | { kind: "debrief.settings" }
  /** One of this team's settings: `value` is the checked text to keep, or null to go back to the workspace's default. */
  | { kind: "debrief.settings.change"; setting: TeamSettingName; value: string | null }
  | { kind: "debrief.help" }
  /** Bad input: says what was wrong and the right form, and keeps what was typed. */
  | { kind: "invalid"; command: CommandName; problem: string; usage: string; typed: string };

export type CommandName = "incident" | "action" | "reflect" | "debrief";
export const COMMAND_NAMES: readonly CommandName[] = ["incident", "action", "reflect", "debrief"];
