import type { Interaction, Outcome, Submission } from "../interaction.ts";
import { workspaceKey } from "../store/keys.ts";
import { claimRequest, recordRequestOutcome, requestOutcome } from "../store/requests.ts";
import type { CoreDeps } from "../usecases/deps.ts";
import { queuePromptsQuietly, scheduleQuietly } from "../usecases/schedule.ts";
import { HeldIds } from "./held-deliveries.ts";
import { withSavepoints } from "./savepoints.ts";

type Answer = Outcome | Submission;

/**
 * Whether an answer ends the request for good: a reply, or a saved form. A form opened changes nothing, and the next
 * press of its button must open it with what is current; a form sent back with errors must be taken once corrected.
 */
const settles = (answer: Answer): boolean => answer.kind === "reply" || answer.kind === "done";

/**
 * Does a request once, however often it arrives (a retried job, a worker killed mid-way, a platform resending), and
 * answers every arrival as the first: the request is claimed, worked and its answer stored in one transaction, so
 * either all of it happened or none did. Work that throws, or that does not settle, rolls back and claims nothing,
 * so a corrected or later attempt runs. A request without an id (the console) just runs: each line is run once.
 */
export async function once<D extends CoreDeps, A extends Answer>(deps: D, interaction: Interaction, work: (deps: D) => Promise<A>): Promise<A> {
  if (!interaction.requestId) return work(deps);
  // Keyed by who asked as well: a stored answer may quote a restricted incident, and it is only ever theirs to replay,
  // even should a platform's request ids ever repeat across people.
  const requestId = `${interaction.actor.userId}-${interaction.requestId}`;
  const workspaceId = workspaceKey(interaction.actor.platform, interaction.actor.workspaceId);
  const held = new HeldIds();
  const heldPrompts = new HeldIds();
  const trx = await deps.db.startTransaction().execute();
  let answer: A;
  try {
    if (!(await claimRequest(trx, workspaceId, requestId))) {
      const before = await requestOutcome(trx, workspaceId, requestId);
      await trx.rollback().execute();
      if (before === undefined) throw new Error(`request ${requestId} was done before, but what it answered is gone`);
      return before as A;
    }
    answer = await work({ ...deps, db: withSavepoints(trx), deliveries: held, prompts: heldPrompts });
    if (!settles(answer)) {
      await trx.rollback().execute();
      return answer;
    }
    await recordRequestOutcome(trx, workspaceId, requestId, answer);
    await trx.commit().execute();
  } catch (err) {
    if (!trx.isCommitted && !trx.isRolledBack) {
      await trx.rollback().execute().catch((rollbackErr: unknown) => deps.log.warn({ err: rollbackErr, requestId }, "could not roll back a request"));
    }
    throw err;
  }
  // Only now are its messages' rows there for a delivery worker to read.
  await scheduleQuietly(deps, held.ids);
  await queuePromptsQuietly(deps, heldPrompts.ids);
  return answer;
}
