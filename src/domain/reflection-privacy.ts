/**
 * Who may know what about reflections (DESIGN.md, DOMAIN.md "Culture"). Answers are their author's alone: no manager,
 * lead or admin reads them. That someone has not answered is for their own line manager only, so it cannot become a
 * league table; team figures are shown only where a team is big enough that they name nobody.
 */

/** Team figures are shown only for teams at least this big. */
export const MIN_TEAM_FOR_FIGURES = 5;

export const canReadAnswers = (viewerId: string, authorId: string): boolean => viewerId === authorId;

export const canSeeWhoHasNotAnswered = (viewerId: string, person: { readonly managerId: string | null }): boolean => person.managerId === viewerId;

export const showsTeamFigures = (members: number): boolean => members >= MIN_TEAM_FOR_FIGURES;
