import type { Settings } from "../config.ts";
import { authorize, RULES } from "../domain/authorization.ts";
import { DomainError } from "../domain/errors.ts";
import {
  checkTeamSetting,
  settingsForTeam,
  storedText,
  TEAM_SETTINGS,
  teamOverrides,
  type TeamSetting,
  type TeamSettingName,
  type TeamSettings,
} from "../domain/team-settings.ts";
import type { Interaction } from "../interaction.ts";
import { recordAudit } from "../store/audit.ts";
import { workspaceKey } from "../store/keys.ts";
import { findTeamByChannel, lockTeamSettings, writeTeamSettings, type Team } from "../store/teams.ts";
import { isAdmin } from "./admins.ts";
import type { CoreDeps } from "./deps.ts";
import { knownPerson } from "./people.ts";
import { teamOf } from "./team-spaces.ts";

/** The use cases' ports, with the workspace's settings (from the environment) that a team's own go over. */
export type SettingsDeps = CoreDeps & { config: Settings };

/** The settings in force for a team (or the workspace's, with no team), and which of them are the team's own. */
export interface SettingsInForce {
  team: Team | undefined;
  settings: TeamSettings;
  own: ReadonlySet<TeamSettingName>;
}

export const settingsInForce = (base: Settings, team: Team | undefined): SettingsInForce => ({
  team,
  settings: settingsForTeam(base, team?.settings),
  own: teamOverrides(team?.settings),
});

/** The settings of this channel's team, or of the person's home team in a direct message. Reading changes nothing. */
export async function showTeamSettings(deps: SettingsDeps, interaction: Interaction): Promise<SettingsInForce> {
  const person = await knownPerson(deps, interaction.actor);
  return settingsInForce(deps.config, await teamOf(deps.db, interaction, person));
}

/** A change to one setting, with everything in force for the team once it is made. */
export interface SettingChange extends SettingsInForce {
  team: Team;
  setting: TeamSetting;
  /** The team's own text before and after; null is the workspace's default. */
  before: string | null;
  after: string | null;
  changed: boolean;
}

/**
 * Sets one of this channel's team's settings to `value` (as typed), or back to the workspace's default with null.
 * Only in the team's own channel, where the team sees it; by an admin or the team's lead; audited with the one
 * setting's before and after.
 */
export async function changeTeamSetting(
  deps: SettingsDeps,
  interaction: Interaction,
  name: TeamSettingName,
  value: string | null,
): Promise<SettingChange> {
  const setting = TEAM_SETTINGS.find((s) => s.name === name);
  if (!setting) throw new DomainError("INVALID", `There is no setting called ${name}.`);
  const example = `/debrief settings ${setting.key} ${setting.example}`;
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const team = interaction.channel ? await findTeamByChannel(deps.db, workspaceId, interaction.channel.channelId) : undefined;
  if (!team) {
    throw new DomainError(
      "INVALID",
      `Run this in the team's own channel, e.g. ${example}: settings belong to a team space (made with /debrief setup).`,
    );
  }
  const actor = await knownPerson(deps, interaction.actor);
  authorize(RULES.changeSettings, { admin: await isAdmin(deps, interaction.actor), isLead: team.leadId === actor.id }, "Ask one of them to change it.");
  let after: string | null = null;
  if (value !== null) {
    const checked = checkTeamSetting(name, value);
    if ("problem" in checked) throw new DomainError("INVALID", `${checked.problem} For example: ${example}`);
    after = checked.stored;
  }

  return deps.db.transaction().execute(async (tx) => {
    const stored = (await lockTeamSettings(tx, team.id)) ?? {};
    const before = storedText(stored, name) ?? null;
    const settings = { ...stored };
    if (after === null) delete settings[name];
    else settings[name] = after;
    // Something unreadable stored under the name counts as there, so "default" clears it.
    const changed = after === null ? Object.hasOwn(stored, name) : before !== after;
    if (changed) {
      await writeTeamSettings(tx, team.id, settings);
      await recordAudit(tx, {
        workspaceId: team.workspaceId,
        actorId: actor.id,
        action: "team.settings_changed",
        subject: `team:${team.id}`,
        before: { [name]: before },
        after: { [name]: after },
      });
    }
    const changedTeam = { ...team, settings };
    return { ...settingsInForce(deps.config, changedTeam), team: changedTeam, setting, before, after, changed };
  });
}

/** The settings a team's prompts and escalations follow, with the team's own zone apart (see below). */
export type TeamSettingsInForce = TeamSettings & { readonly teamTimeZone?: string };

/**
 * The workspace's settings with the team's own choices over them. A zone the team set is also kept apart, as the
 * fallback for its people whose profiles have none (DESIGN.md: the person's zone, else the team's, else TIME_ZONE).
 */
export function teamSettings(base: Settings, team: Team | undefined): TeamSettingsInForce {
  const chosen = settingsForTeam(base, team?.settings);
  return team?.settings.TIME_ZONE !== undefined ? { ...chosen, teamTimeZone: chosen.timeZone } : chosen;
}
