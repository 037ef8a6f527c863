import { sql } from "kysely";
import { canSeeDetails } from "../domain/access.ts";
import { ACTION_TITLE_MAX, type Action, type ActionAudience } from "../domain/action.ts";
import { DomainError } from "../domain/errors.ts";
import { findIdentifier, identifierWarning } from "../domain/identifiers.ts";
import type { Incident } from "../domain/incident.ts";
import { overLimit } from "../domain/text.ts";
import { zoneFor } from "../domain/prompt-time.ts";
import { formatActionRef } from "../domain/references.ts";
import { findAction, findActionIncident } from "../store/actions.ts";
import type { DbOrTx } from "../store/database.ts";
import { findPerson, type Person } from "../store/people.ts";
import type { CoreDeps } from "./deps.ts";
import { incidentCircle, type IncidentCircle } from "./incident-access.ts";

export type ActionInput = "owner" | "due" | "what";

/** A problem with one thing the user gave (owner, due, what), so a form can show it beside that input. */
export class ActionInputError extends DomainError {
  constructor(
    readonly input: ActionInput,
    message: string,
    options?: ErrorOptions,
  ) {
    super("INVALID", message, options);
  }
}

/** The zone a person's "friday" and "5pm" mean: their profile's, else the workspace's configured one. */
export function zoneOf(person: Person, deps: Pick<CoreDeps, "config">): string {
  return zoneFor(person.timeZone, deps.config.timeZone);
}

/** What is wrong with an action's text, if anything. */
export function titleProblem(title: string): string | undefined {
  if (title.trim() === "") return "What is the action? Add a few words saying what needs doing.";
  const tooLong = overLimit("the action", title, ACTION_TITLE_MAX);
  if (tooLong) return `${tooLong} A clear first step is enough.`;
  const found = findIdentifier(title);
  return found ? identifierWarning(found) : undefined;
}

export const actionNotFound = (number: number) =>
  new DomainError("NOT_FOUND", `I couldn't find ${formatActionRef(number)} in this workspace. /action list shows your open ones.`);

/** An action with everything its rules need: its incident, who stands around it, and whether the viewer may read it. */
export interface ActionInContext {
  action: Action;
  incident: Incident;
  circle: IncidentCircle;
  audience: ActionAudience;
  owner: Person;
  /** Whether the viewer may read the title. */
  visible: boolean;
}

/**
 * A restricted incident's actions are read only by those who may see its details, and by the action's owner, who
 * cannot do what they cannot read. Everyone else sees "A-3 (restricted incident)".
 */
export function canSeeTitle(viewerId: string, action: Action, incident: Incident, circle: IncidentCircle): boolean {
  return !incident.restricted || viewerId === action.ownerId || canSeeDetails(viewerId, circle.audience);
}

/** Loads an action by number; `forUpdate` locks it for a change in the caller's transaction. */
export async function actionInContext(
  db: DbOrTx,
  workspaceId: string,
  number: number,
  viewerId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ActionInContext> {
  const action = await findAction(db, workspaceId, number, options);
  if (!action) throw actionNotFound(number);
  const incident = await findActionIncident(db, action);
  const circle = await incidentCircle(db, incident);
  const owner = await findPerson(db, action.ownerId);
  if (!owner) throw new Error(`owner of ${action.ref} vanished`);
  return {
    action,
    incident,
    circle,
    owner,
    audience: { ownerId: owner.id, ownerManagerId: owner.managerId, reporterId: incident.reporterId, leadId: circle.audience.leadId },
    visible: canSeeTitle(viewerId, action, incident, circle),
  };
}

/**
 * Whether this person has already used an owner's one move of the action's due date, perhaps while they owned it
 * before: handing it to a colleague and back must not give them a second move (see extendRight).
 */
export async function usedOwnerMove(db: DbOrTx, action: Action, personId: string): Promise<boolean> {
  const row = await db
    .selectFrom("audit_log")
    .select("id")
    .where("workspace_id", "=", action.workspaceId)
    .where("subject", "=", action.ref)
    .where("action", "=", "action.extended")
    .where("actor_id", "=", personId)
    // An owner's move stamps ownerExtendedAt; a manager's or the lead's leaves it as it was.
    .where(sql<boolean>`after->>'ownerExtendedAt' is distinct from before->>'ownerExtendedAt'`)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many times this has been done to the action before, from the audit log: numbers repeated messages' dedupe keys. */
export async function timesAudited(db: DbOrTx, action: Action, what: string): Promise<number> {
  const row = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("workspace_id", "=", action.workspaceId)
    .where("subject", "=", action.ref)
    .where("action", "=", what)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
