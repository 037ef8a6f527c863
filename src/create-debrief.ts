import { createCore } from "./core/create-core.ts";
import type { FeatureDeps } from "./core/feature.ts";
import { actions } from "./features/actions/index.ts";
import { escalation } from "./features/escalation/index.ts";
import { incidents } from "./features/incidents/index.ts";
import { reflections } from "./features/reflections/index.ts";
import { team } from "./features/team/index.ts";
import type { Debrief } from "./interaction.ts";

/** The core's ports and the settings it reads (not the environment: no tokens, no URLs). */
export type DebriefDeps = FeatureDeps;

/** Debrief: the core with its features. A new feature is a folder under src/features and one entry here. */
export function createDebrief(deps: DebriefDeps): Debrief {
  return createCore(deps, [incidents, actions, escalation, reflections, team]);
}
