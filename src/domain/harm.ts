/** LFPSE physical harm scale, least to most. */
export const PHYSICAL_HARM = ["none", "low", "moderate", "severe", "death"] as const;
export type PhysicalHarm = (typeof PHYSICAL_HARM)[number];

export const PSYCHOLOGICAL_HARM = ["none", "low", "moderate", "severe"] as const;
export type PsychologicalHarm = (typeof PSYCHOLOGICAL_HARM)[number];

export function isPhysicalHarm(word: string): word is PhysicalHarm {
  return (PHYSICAL_HARM as readonly string[]).includes(word);
}

export function isPsychologicalHarm(word: string): word is PsychologicalHarm {
  return (PSYCHOLOGICAL_HARM as readonly string[]).includes(word);
}

export const HARM_LABELS: Record<PhysicalHarm, string> = {
  none: "No harm",
  low: "Low harm",
  moderate: "Moderate harm",
  severe: "Severe harm",
  death: "Death",
};

// What makes an incident restricted (DOMAIN.md): its category, or harm at or above these levels.
const RESTRICTED_CATEGORY = "safeguarding";
const RESTRICTED_PHYSICAL: PhysicalHarm = "moderate";
const RESTRICTED_PSYCHOLOGICAL: PsychologicalHarm = "severe";

const atLeast = <T extends string>(scale: readonly T[], level: T, threshold: T): boolean => scale.indexOf(level) >= scale.indexOf(threshold);

/** Restricted incidents are announced by reference only (DOMAIN.md). */
export function isRestricted(incident: {
  category: string;
  physicalHarm: PhysicalHarm;
  psychologicalHarm: PsychologicalHarm | null;
}): boolean {
  return (
    incident.category === RESTRICTED_CATEGORY ||
    atLeast(PHYSICAL_HARM, incident.physicalHarm, RESTRICTED_PHYSICAL) ||
    (incident.psychologicalHarm !== null && atLeast(PSYCHOLOGICAL_HARM, incident.psychologicalHarm, RESTRICTED_PSYCHOLOGICAL))
  );
}

// "physical harm moderate or worse"; the top of a scale has nothing worse to mention.
const fromLevel = <T extends string>(scale: readonly T[], kind: string, threshold: T): string =>
  `${kind} harm ${threshold}${threshold === scale[scale.length - 1] ? "" : " or worse"}`;

/** The restricted rule in words, made from the thresholds isRestricted uses, so what help says cannot drift from it. */
export const RESTRICTED_RULE = [
  RESTRICTED_CATEGORY,
  fromLevel(PHYSICAL_HARM, "physical", RESTRICTED_PHYSICAL),
  `or ${fromLevel(PSYCHOLOGICAL_HARM, "psychological", RESTRICTED_PSYCHOLOGICAL)}`,
].join(", ");
