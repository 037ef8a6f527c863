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

/** Restricted incidents are announced by reference only (DOMAIN.md). */
export function isRestricted(incident: {
  category: string;
  physicalHarm: PhysicalHarm;
  psychologicalHarm: PsychologicalHarm | null;
}): boolean {
  return (
    incident.category === "safeguarding" ||
    PHYSICAL_HARM.indexOf(incident.physicalHarm) >= PHYSICAL_HARM.indexOf("moderate") ||
    incident.psychologicalHarm === "severe"
  );
}
