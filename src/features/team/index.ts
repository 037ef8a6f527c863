import type { Command } from "../../commands/command.ts";
import { grammarRoute } from "../../commands/route.ts";
import type { Feature, Request } from "../../core/feature.ts";
import type { Outcome } from "../../interaction.ts";
import { personName } from "../../usecases/people.ts";
import { changeTeamSetting, showTeamSettings } from "../../usecases/team-settings.ts";
import { appointLead, setMember, setReportingLine, setupTeam } from "../../usecases/team-spaces.ts";
import { leadSetView, managerSetView, memberSetView, settingChangedView, settingsView, teamSetupView } from "../../views/team-views.ts";
import type { MessageView } from "../../views/view.ts";

/** Team spaces and roles: /debrief setup, lead, manager, member, settings and help. */

type DebriefCommand = Extract<Command, { kind: `debrief.${string}` }>;

const reply = (view: MessageView): Outcome => ({ kind: "reply", view });

async function runDebrief({ deps, interaction, help }: Request, command: DebriefCommand): Promise<Outcome> {
  switch (command.kind) {
    case "debrief.setup": {
      const { team, created } = await setupTeam(deps, interaction);
      return reply(teamSetupView(team, created));
    }
    case "debrief.lead": {
      const { team, lead } = await appointLead(deps, interaction, command.person.userId);
      return reply(leadSetView(team, personName(lead)));
    }
    case "debrief.manager": {
      const { person, manager } = await setReportingLine(deps, interaction, command.person.userId, command.manager.userId);
      return reply(managerSetView(personName(person), personName(manager)));
    }
    case "debrief.member": {
      const { team, person, moved } = await setMember(deps, interaction, command.person.userId);
      return reply(memberSetView(team.name, personName(person), moved));
    }
    case "debrief.settings": {
      const { team, settings, own } = await showTeamSettings(deps, interaction);
      return reply(settingsView(team, settings, own));
    }
    case "debrief.settings.change": {
      return reply(settingChangedView(await changeTeamSetting(deps, interaction, command.setting, command.value)));
    }
    case "debrief.help":
      return reply(help());
  }
}

export const team: Feature = {
  commands: {
    debrief: grammarRoute<DebriefCommand>("debrief", runDebrief),
  },
};
