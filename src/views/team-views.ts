import type { Config } from "../config.ts";
import type { Team } from "../store/teams.ts";
import { command, mention, type MessageView, type PersonName, type Section } from "./view.ts";

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

type Settings = Pick<Config, "reflectionSchedule" | "reflectionReminder" | "promptMinGap" | "escalationLadder" | "workingHours" | "timeZone">;

/** The settings in force; teams will be able to override them here. */
export function settingsView(team: Team | undefined, s: Settings): MessageView {
  const hours =
    s.workingHours === "always"
      ? "always"
      : `${s.workingHours.days.map((d) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d - 1]).join(", ")} ${clock(s.workingHours.start)}–${clock(s.workingHours.end)}`;
  return {
    text: "Debrief settings",
    title: team ? `Settings for #${team.name}` : "Settings",
    sections: [
      {
        fields: [
          { label: "Time zone", value: s.timeZone },
          { label: "Working hours", value: hours },
          { label: "Reflection prompts after", value: s.reflectionSchedule.map((d) => d.toISO()).join(", ") },
          { label: "Reminder after", value: s.reflectionReminder.toISO() ?? "" },
          { label: "Least gap between prompts", value: s.promptMinGap.toISO() ?? "" },
          { label: "Escalation", value: s.escalationLadder.map((st) => `${st.target} after ${st.after.toISO()}`).join(", ") },
        ],
      },
    ],
    context: "These are the workspace's defaults, set by whoever runs Debrief. Per-team changes are not available yet.",
  };
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

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
