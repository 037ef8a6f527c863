import { RULES } from "../domain/authorization.ts";
import { questionSetFor } from "../domain/question-sets.ts";
import { TEAM_SETTINGS, type TeamSetting, type TeamSettingName, type TeamSettings } from "../domain/team-settings.ts";
import type { Team } from "../store/teams.ts";
import { command, mention, type MessageView, type PersonName, type Section, type Text } from "./view.ts";

export function teamSetupView(team: Team, created: boolean): MessageView {
  const text = created
    ? `This channel is now the team space for #${team.name}: incidents are announced here and overdue actions escalated here.`
    : `This channel is already the team space for #${team.name}.`;
  const next: Section[] = team.leadId
    ? []
    : [
        {
          text: [
            "Next, set the team's safeguarding lead with ",
            command("debrief lead @person"),
            ", and reporting lines with ",
            command("debrief manager @person @manager"),
            ".",
          ],
        },
      ];
  return { text, sections: [{ text }, ...next] };
}

export function leadSetView(team: Team, lead: PersonName): MessageView {
  return {
    text: `Lead set for #${team.name}`,
    sections: [{ text: [mention(lead), ` is now the lead for #${team.name}. They will be told of restricted incidents at once, by direct message.`] }],
  };
}

export function managerSetView(person: PersonName, manager: PersonName): MessageView {
  return {
    text: "Reporting line set",
    sections: [{ text: [mention(person), " now reports to ", mention(manager), ". Overdue actions escalate along this line."] }],
  };
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** One setting's value in force, as /debrief settings shows it. */
function shownValue(name: TeamSettingName, s: TeamSettings): string {
  switch (name) {
    case "TIME_ZONE":
      return s.timeZone;
    case "WORKING_HOURS":
      return s.workingHours === "always"
        ? "always"
        : `${s.workingHours.days.map((d) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d - 1]).join(", ")} ${clock(s.workingHours.start)}–${clock(s.workingHours.end)}`;
    case "REFLECTION_SCHEDULE":
      return s.reflectionSchedule.map((d) => d.toISO()).join(", ");
    case "REFLECTION_REMINDER":
      return s.reflectionReminder.toISO() ?? "";
    case "PROMPT_MIN_GAP":
      return s.promptMinGap.toISO() ?? "";
    case "ESCALATION_LADDER":
      return s.escalationLadder.map((st) => `${st.target} after ${st.after.toISO()}`).join(", ");
    case "QUESTION_SETS": {
      // One per prompt in the schedule: the team's pick where it made one, else the default for that prompt.
      const steps = s.reflectionSchedule.length;
      return Array.from({ length: steps }, (_, step) => questionSetFor(step, steps, s.questionSets)).join(", ");
    }
  }
}

const WHO_CHANGES = `${RULES.changeSettings.who[0]!.toUpperCase()}${RULES.changeSettings.who.slice(1)}`;

/** The settings in force for a team (or the workspace's, with none), each marked as the team's own or the default. */
export function settingsView(team: Team | undefined, s: TeamSettings, own: ReadonlySet<TeamSettingName> = new Set()): MessageView {
  const how: Text = team
    ? [
        `${WHO_CHANGES}, can change one in #${team.name} with `,
        command("debrief settings <name> <value…>"),
        ", e.g. ",
        command("debrief settings working-hours Mon-Fri 07:00-19:00"),
        ", and go back to the default with ",
        command("debrief settings <name> default"),
        ".",
      ]
    : ["These are the workspace's defaults. Run ", command("debrief settings"), " in a team's channel to see that team's, and to change them there."];
  return {
    text: "Debrief settings",
    title: team ? `Settings for #${team.name}` : "Settings",
    sections: [
      {
        fields: TEAM_SETTINGS.map(({ name, key, label }) => ({
          label,
          value: [shownValue(name, s), ` · ${own.has(name) ? "team" : "default"} · `, { code: key }],
        })),
      },
      { text: how },
    ],
    context: "team: this team's own. default: the workspace's, set by whoever runs Debrief.",
  };
}

/** A team's setting changed (or found as asked already), with what it was. */
export function settingChangedView(change: {
  team: Team;
  setting: TeamSetting;
  before: string | null;
  after: string | null;
  changed: boolean;
  settings: TeamSettings;
}): MessageView {
  const { team, setting, before, after, changed } = change;
  const shown = shownValue(setting.name, change.settings);
  const state = after === null ? `the workspace's default, ${shown}` : `${shown}, the team's own`;
  const text = `#${team.name}'s ${setting.key} is ${changed ? "now" : "already"} ${state}`;
  const was = changed ? `; it was ${before === null ? "the workspace's default" : before}` : "";
  return {
    text,
    sections: [
      { text: [`#${team.name}'s `, { code: setting.key }, ` (${setting.label.toLowerCase()}) is ${changed ? "now" : "already"} ${state}${was}.`] },
      { text: [command("debrief settings"), " shows them all."] },
    ],
  };
}

export function memberSetView(teamName: string, person: PersonName, moved: boolean): MessageView {
  return {
    text: `Home team set for #${teamName}`,
    sections: [
      {
        text: [
          mention(person),
          moved
            ? ` is now a member of #${teamName}: incidents they report from a direct message belong to this team. They have been told.`
            : ` is already a member of #${teamName}.`,
        ],
      },
    ],
  };
}
