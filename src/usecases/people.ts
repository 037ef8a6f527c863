import { DomainError } from "../domain/errors.ts";
import { cleanText } from "../domain/text.ts";
import type { PersonProfile, PersonRef } from "../ports.ts";
import { recordAudit } from "../store/audit.ts";
import { inTransaction, type DbOrTx } from "../store/database.ts";
import { personKey, workspaceKey } from "../store/keys.ts";
import { findPerson, savePerson, type Person } from "../store/people.ts";
import { ensureWorkspace } from "../store/workspaces.ts";
import type { PersonName } from "../views/view.ts";
import type { CoreDeps } from "./deps.ts";

// Profiles change rarely; re-reading them daily keeps names and time zones fresh without a platform call per command.
const PROFILE_MAX_AGE_MS = 24 * 60 * 60_000;

/** The person behind a platform user, created on first sight with their name and time zone from the platform. */
export async function knownPerson(deps: CoreDeps, ref: PersonRef, db: DbOrTx = deps.db): Promise<Person> {
  const existing = await findPerson(db, personKey(ref));
  if (existing && deps.now().getTime() - existing.updatedAt.getTime() < PROFILE_MAX_AGE_MS) return existing;

  const directory = deps.directories[ref.platform];
  if (!directory) throw new Error(`no directory for platform ${ref.platform}`);
  let profile;
  try {
    profile = await directory.profile(ref);
  } catch (err) {
    if (existing) return existing; // a stale name beats failing the user's command
    deps.log.warn({ err, userId: ref.userId }, "could not read a user profile");
    throw new DomainError("NOT_FOUND", `I couldn't find the user ${ref.userId}. Mention them with @ so I know who you mean.`, { cause: err });
  }
  const workspaceId = workspaceKey(ref.platform, ref.workspaceId);
  await ensureWorkspace(db, workspaceId, ref.platform);
  // A name comes from outside as typed text does, so it is cleaned the same way before it is stored or shown.
  const named = { ...profile, displayName: cleanText(profile.displayName).replace(/\s+/g, " ").trim() || ref.userId };
  return inTransaction(db, (tx) => refreshProfile(tx, ref, workspaceId, named));
}

/**
 * Saves the platform's profile, auditing a changed time zone with it: due dates and prompts are read in that zone, so
 * "why was this due at 3am" needs the history. Names are not audited: the log can never be erased, and erasure on
 * request must reach a person's name.
 */
async function refreshProfile(tx: DbOrTx, ref: PersonRef, workspaceId: string, profile: PersonProfile): Promise<Person> {
  // Locked, so two commands refreshing the same person at once audit one change, not two.
  const before = await findPerson(tx, personKey(ref), { forUpdate: true });
  const saved = await savePerson(tx, ref, profile);
  if (before && before.timeZone !== saved.timeZone) {
    await recordAudit(tx, {
      workspaceId,
      actorId: null, // changed on the platform, by whoever may edit the profile there, not through Debrief
      action: "person.profile_changed",
      subject: saved.id,
      before: { timeZone: before.timeZone },
      after: { timeZone: saved.timeZone },
    });
  }
  return saved;
}

/** A person as views mention them: their platform user id and display name. */
export const personName = (person: Person): PersonName => ({ userId: person.ref.userId, name: person.displayName });

/** A user named in a command, in the same workspace as the one who named them. */
export function mentionedRef(actor: PersonRef, userId: string): PersonRef {
  return { platform: actor.platform, workspaceId: actor.workspaceId, userId };
}
