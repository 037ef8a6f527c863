import { mention, type MessageView, type PersonName, type Span } from "./view.ts";

/**
 * Direct messages to whoever a role change affects (DESIGN.md: "Whoever a role change affects is told"), so a change
 * that widens who can read someone's incidents can never pass unnoticed. Each names who made the change.
 */

const by = (actor: PersonName): Span[] => [" (set by ", mention(actor), ")"];

const message = (text: string, spans: readonly Span[]): MessageView => ({ text, sections: [{ text: spans }] });

export function youLeadView(teamName: string, actor: PersonName): MessageView {
  return message(`You are now the lead for #${teamName}`, [
    `You are now the lead for #${teamName}`,
    ...by(actor),
    ". You will be told of restricted incidents at once, by direct message, and overdue actions reach you last on their way up.",
  ]);
}

export function leadHandedOnView(teamName: string, newLead: PersonName, actor: PersonName): MessageView {
  return message(`You are no longer the lead for #${teamName}`, [
    mention(newLead),
    ` is now the lead for #${teamName} in your place`,
    ...by(actor),
    ". If that is a mistake, ask an admin.",
  ]);
}

export function yourManagerView(manager: PersonName, previous: PersonName | null, actor: PersonName): MessageView {
  return message("Your line manager has changed", [
    "Your line manager in Debrief is now ",
    mention(manager),
    ...(previous ? [" instead of ", mention(previous)] : []),
    ...by(actor),
    ". They can see the incidents you report or are involved in, and your overdue actions escalate to them. If that is wrong, tell your team's lead.",
  ]);
}

export function reportsToYouView(person: PersonName, actor: PersonName): MessageView {
  return message("Someone now reports to you", [
    mention(person),
    " now reports to you in Debrief",
    ...by(actor),
    ". You will see the incidents they report or are involved in, and their overdue actions escalate to you.",
  ]);
}

export function noLongerReportsView(person: PersonName, manager: PersonName, actor: PersonName): MessageView {
  return message("Someone no longer reports to you", [
    mention(person),
    " no longer reports to you in Debrief; they now report to ",
    mention(manager),
    ...by(actor),
    ".",
  ]);
}

export function leftYourTeamView(teamName: string, person: PersonName, newTeamName: string, actor: PersonName): MessageView {
  return message(`Someone has left #${teamName}`, [
    mention(person),
    ` is no longer a member of #${teamName}; they are now in #${newTeamName}`,
    ...by(actor),
    ". Their restricted incidents now go to that team's lead. If that is a mistake, ask an admin.",
  ]);
}

export function yourTeamView(teamName: string, actor: PersonName): MessageView {
  return message(`You are now a member of #${teamName}`, [
    `You are now a member of #${teamName} in Debrief`,
    ...by(actor),
    ". Incidents you report from a direct message belong to this team, and its lead hears of restricted ones.",
  ]);
}
