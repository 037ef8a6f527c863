import type { Settings } from "../../config.ts";
import type { QuestionSetId } from "../../domain/question-sets.ts";
import type { Team } from "../../store/teams.ts";

/** The settings a team's prompts follow: the workspace's, with the team's own choices over them. */
export type TeamSettings = Settings & { readonly questionSets?: readonly QuestionSetId[]; readonly teamTimeZone?: string };

export function teamSettings(base: Settings, _team: Team | undefined): TeamSettings {
  return base;
}
