import type { DeliveryScheduler } from "../delivery/outbox.ts";

/**
 * The delivery scheduler a request's work is given: it holds the ids its use cases ask to queue until the request's
 * transaction commits. Queued earlier, a delivery worker could read the row before it is committed, find nothing,
 * and drop the job; the message would then wait for the reconcile job, a minute late.
 */
export class HeldDeliveries implements DeliveryScheduler {
  readonly ids: string[] = [];

  async schedule(deliveryIds: readonly string[]): Promise<void> {
    this.ids.push(...deliveryIds);
  }
}
