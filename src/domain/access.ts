/**
 * Need-to-know (DESIGN.md, DOMAIN.md): the reporter, the people involved, their line managers and the team's lead
 * see an incident's details. Everyone else sees what the channel announcement showed, and of a restricted incident
 * only its reference, category and that it is restricted.
 */
export interface IncidentAudience {
  reporterId: string;
  involved: readonly string[];
  leadId: string | null;
  /** Line managers of the reporter and of everyone involved. */
  managers: readonly string[];
}

export function canSeeDetails(viewerId: string, audience: IncidentAudience): boolean {
  return (
    viewerId === audience.reporterId ||
    audience.involved.includes(viewerId) ||
    viewerId === audience.leadId ||
    audience.managers.includes(viewerId)
  );
}

/** Closing records the team's lesson, so it is for the reporter, the lead, or a line manager of those involved. */
export function canClose(viewerId: string, audience: IncidentAudience): boolean {
  return viewerId === audience.reporterId || viewerId === audience.leadId || audience.managers.includes(viewerId);
}
