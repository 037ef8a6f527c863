import { parseSetting, SETTING_VARIABLES, type Settings, type SettingVariable } from "../config.ts";
import { parseQuestionSets, type QuestionSetId } from "./question-sets.ts";

/**
 * The settings a team may override (DESIGN.md: "Teams override these per team in /debrief settings"). A team keeps the
 * raw text someone typed, keyed by the environment variable's name, and it is read by the environment's own rules,
 * so a team's value means what the same value would mean at start-up.
 */

// Not SWEEP_EVERY (one sweep serves every team) nor DEBRIEF_ADMINS (a team cannot make its own admins).
const FROM_ENVIRONMENT = [
  "TIME_ZONE",
  "WORKING_HOURS",
  "REFLECTION_SCHEDULE",
  "REFLECTION_REMINDER",
  "PROMPT_MIN_GAP",
  "ESCALATION_LADDER",
] as const satisfies readonly SettingVariable[];

/** The overridable environment variables, and QUESTION_SETS, which only a team sets. */
export type TeamSettingName = (typeof FROM_ENVIRONMENT)[number] | "QUESTION_SETS";

export type QuestionSetIds = readonly QuestionSetId[];

/** The settings a team's work follows; no `questionSets` means the default sets (questionSetFor). */
export type TeamSettings = Settings & { questionSets?: QuestionSetIds };

export interface TeamSetting {
  /** As stored and as the environment names it: "REFLECTION_SCHEDULE". */
  readonly name: TeamSettingName;
  /** What people type: "reflection-schedule". */
  readonly key: string;
  /** What it is, as /debrief settings shows it. */
  readonly label: string;
  /** A value in the right form. */
  readonly example: string;
}

/** In the order /debrief settings shows them. */
export const TEAM_SETTINGS: readonly TeamSetting[] = [
  { name: "TIME_ZONE", key: "time-zone", label: "Time zone", example: "Europe/London" },
  { name: "WORKING_HOURS", key: "working-hours", label: "Working hours", example: "Mon-Fri 08:00-18:00" },
  { name: "REFLECTION_SCHEDULE", key: "reflection-schedule", label: "Reflection prompts after", example: "P1D,P7D,P30D" },
  { name: "REFLECTION_REMINDER", key: "reflection-reminder", label: "Reminder after", example: "P1D" },
  { name: "PROMPT_MIN_GAP", key: "prompt-min-gap", label: "Least gap between prompts", example: "PT1H" },
  { name: "ESCALATION_LADDER", key: "escalation-ladder", label: "Escalation", example: "PT0S:owner,P1D:manager,P3D:lead" },
  { name: "QUESTION_SETS", key: "question-sets", label: "Question sets", example: "gibbs,driscoll,impact" },
];

/** A setting as typed: its kebab-case key or its environment name, in any case ("Working_Hours" too). */
export function findTeamSetting(typed: string): TeamSetting | undefined {
  const name = typed.trim().toUpperCase().replace(/-/g, "_");
  return TEAM_SETTINGS.find((s) => s.name === name);
}

/** Whether `value` is a good value for the setting: the text to store (trimmed), or the one-line problem with it. */
export function checkTeamSetting(name: TeamSettingName, value: string): { stored: string } | { problem: string } {
  const text = value.trim();
  if (name === "QUESTION_SETS") {
    const sets = parseQuestionSets(text);
    return Array.isArray(sets) ? { stored: text } : sets;
  }
  const parsed = parseSetting(name, text);
  return "value" in parsed ? { stored: text } : parsed;
}

/** The workspace's settings with the team's stored values over them; a stored value that no longer reads is ignored. */
export function settingsForTeam(base: Settings, stored: Record<string, unknown> | undefined): TeamSettings {
  const settings: TeamSettings = { ...base };
  for (const name of FROM_ENVIRONMENT) override(settings, name, storedText(stored, name));
  const sets = storedText(stored, "QUESTION_SETS");
  const parsed = sets === undefined ? undefined : parseQuestionSets(sets);
  if (Array.isArray(parsed)) settings.questionSets = parsed;
  return settings;
}

/** The settings the team's own values decide: those it stored that still read. */
export function teamOverrides(stored: Record<string, unknown> | undefined): Set<TeamSettingName> {
  const names = new Set<TeamSettingName>();
  for (const { name } of TEAM_SETTINGS) {
    const text = storedText(stored, name);
    if (text !== undefined && "stored" in checkTeamSetting(name, text)) names.add(name);
  }
  return names;
}

/** The team's raw text for one setting, if it has one (the column is jsonb, so anything may be there). */
export function storedText(stored: Record<string, unknown> | undefined, name: TeamSettingName): string | undefined {
  if (!stored || !Object.hasOwn(stored, name)) return undefined;
  const value = stored[name];
  return typeof value === "string" ? value : undefined;
}

function override<V extends (typeof FROM_ENVIRONMENT)[number]>(settings: Settings, name: V, text: string | undefined): void {
  if (text === undefined) return;
  const parsed = parseSetting(name, text);
  if ("value" in parsed) settings[SETTING_VARIABLES[name]] = parsed.value;
}
