import { DomainError } from "../domain/errors.ts";
import type { PersonRef } from "../ports.ts";
import type { DbOrTx } from "../store/database.ts";
import { personKey, workspaceKey } from "../store/keys.ts";
import { findPerson, savePerson, type Person } from "../store/people.ts";
import { ensureWorkspace } from "../store/workspaces.ts";
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
  await ensureWorkspace(db, workspaceKey(ref.platform, ref.workspaceId), ref.platform);
  return savePerson(db, ref, profile);
}

/** A user named in a command, in the same workspace as the one who named them. */
export function mentionedRef(actor: PersonRef, userId: string): PersonRef {
  return { platform: actor.platform, workspaceId: actor.workspaceId, userId };
}
