import type { Span } from "./view.ts";
import type { MessageView } from "./view.ts";

/**
 * Direct messages to whoever a role change affects (DESIGN.md: "Whoever a role change affects is told"), so a change
 * that widens who can read someone's incidents can never pass unnoticed. Each names who made the change.
 */

const by = (actorUserId: string): Span[] => [" (set by ", { mention: actorUserId }, ")"];

const message = (text: string, spans: readonly Span[]): MessageView => ({ text, sections: [{ text: spans }] });

export function youLeadView(teamName: string, actorUserId: string): MessageView {
  return message(`You are now the lead for #${teamName}`, [
    `You are now the lead for #${teamName}`,
    ...by(actorUserId),
    ". You will be told of restricted incidents at once, by direct message, and overdue actions reach you last on their way up.",
  ]);
}

export function leadHandedOnView(teamName: string, newLeadUserId: string, actorUserId: string): MessageView {
  return message(`You are no longer the lead for #${teamName}`, [
    { mention: newLeadUserId },
    ` is now the lead for #${teamName} in your place`,
    ...by(actorUserId),
    ". If that is a mistake, ask an admin.",
  ]);
}

export function yourManagerView(managerUserId: string, previousUserId: string | null, actorUserId: string): MessageView {
  return message("Your line manager has changed", [
    "Your line manager in Debrief is now ",
    { mention: managerUserId },
    ...(previousUserId ? [" instead of ", { mention: previousUserId }] : []),
    ...by(actorUserId),
    ". They can see the incidents you report or are involved in, and your overdue actions escalate to them. If that is wrong, tell your team's lead.",
  ]);
}

export function reportsToYouView(personUserId: string, actorUserId: string): MessageView {
  return message("Someone now reports to you", [
    { mention: personUserId },
    " now reports to you in Debrief",
    ...by(actorUserId),
    ". You will see the incidents they report or are involved in, and their overdue actions escalate to you.",
  ]);
}

export function noLongerReportsView(personUserId: string, managerUserId: string, actorUserId: string): MessageView {
  return message("Someone no longer reports to you", [
    { mention: personUserId },
    " no longer reports to you in Debrief; they now report to ",
    { mention: managerUserId },
    ...by(actorUserId),
    ".",
  ]);
}

export function yourTeamView(teamName: string, actorUserId: string): MessageView {
  return message(`You are now a member of #${teamName}`, [
    `You are now a member of #${teamName} in Debrief`,
    ...by(actorUserId),
    ". Incidents you report from a direct message belong to this team, and its lead hears of restricted ones.",
  ]);
}
