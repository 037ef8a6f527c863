import type { DeliveryScheduler } from "../delivery/outbox.ts";
import type { PromptScheduler } from "../usecases/deps.ts";

/**
 * The scheduler a request's work is given, for deliveries and for reflection prompts alike: it holds the ids its use
 * cases ask to queue until the request's transaction commits. Queued earlier, a worker could read the row before it is
 * committed, find nothing, and drop the job; the message would then wait for the reconcile job, a minute late.
 */
export class HeldIds implements DeliveryScheduler, PromptScheduler {
  readonly ids: string[] = [];

  async schedule(ids: readonly string[]): Promise<void> {
    this.ids.push(...ids);
  }
}
