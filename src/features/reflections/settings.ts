import type { Settings } from "../../config.ts";
import { settingsForTeam, type TeamSettings as Chosen } from "../../domain/team-settings.ts";
import type { Team } from "../../store/teams.ts";

/** The settings a team's prompts follow: the workspace's, with the team's own choices over them. */
export type TeamSettings = Chosen & { readonly teamTimeZone?: string };

/**
 * A team's zone, when it set one, is the fallback for its people who have none on their profile; the workspace's
 * TIME_ZONE comes after it (DESIGN.md).
 */
export function teamSettings(base: Settings, team: Team | undefined): TeamSettings {
  const chosen = settingsForTeam(base, team?.settings);
  return team?.settings.TIME_ZONE !== undefined ? { ...chosen, teamTimeZone: chosen.timeZone } : chosen;
}
