import type { PeriodicJob } from "../periodic-job.ts";
import type { Db } from "../store/database.ts";
import { pruneRequests } from "../store/requests.ts";

/** Forgets requests past REQUEST_KEPT_MS, as often as lost deliveries are looked for. */
export const pruneRequestsJob = (db: Db): PeriodicJob => ({
  name: "request-prune",
  every: (settings) => settings.sweepEvery,
  run: async () => {
    await pruneRequests(db);
  },
});
