import type { PersonRef } from "../ports.ts";
import type { CoreDeps } from "./deps.ts";

/**
 * Whether someone is an admin: the platform says so (Slack admins and owners, the console's owner), or the deployment
 * lists them in DEBRIEF_ADMINS. Asked of the platform each time it matters (the directory keeps a short cache), so a
 * demoted admin loses the right within minutes, not when their stored profile next refreshes.
 */
export async function isAdmin(deps: CoreDeps, ref: PersonRef): Promise<boolean> {
  if (deps.config.admins.includes(ref.userId)) return true;
  const directory = deps.directories[ref.platform];
  if (!directory) return false;
  try {
    return (await directory.profile(ref)).isAdmin === true;
  } catch (err) {
    // Unknown is not an admin: a platform that cannot answer must not widen anyone's rights.
    deps.log.warn({ err, userId: ref.userId }, "could not tell whether a user is an admin");
    return false;
  }
}
