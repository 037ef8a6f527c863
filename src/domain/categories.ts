/** Default incident categories from DOMAIN.md. Teams may configure their own later; these are the defaults. */
export interface Category {
  readonly key: string;
  readonly label: string;
  readonly aliases: readonly string[];
}

export const DEFAULT_CATEGORIES: readonly Category[] = [
  { key: "safeguarding", label: "Safeguarding / allegation of abuse", aliases: ["abuse", "allegation"] },
  { key: "missing", label: "Missing from care", aliases: ["absconded"] },
  { key: "medication", label: "Medication", aliases: ["meds", "mar"] },
  { key: "injury", label: "Accident, injury or fall", aliases: ["fall", "accident"] },
  { key: "behaviour", label: "Violence, aggression or restraint", aliases: ["restraint", "assault"] },
  { key: "selfharm", label: "Self-harm", aliases: ["self-harm"] },
  { key: "health", label: "Serious illness or infection", aliases: ["illness"] },
  { key: "police", label: "Police involvement", aliases: [] },
  { key: "data", label: "Confidentiality or data breach", aliases: ["gdpr", "breach"] },
  { key: "premises", label: "Premises or utilities", aliases: ["building"] },
  { key: "staffing", label: "Insufficient staffing", aliases: ["rota"] },
  { key: "project", label: "Project management", aliases: ["delivery"] },
  { key: "financial", label: "Financial management", aliases: ["finance", "budget"] },
  { key: "people", label: "People strategy", aliases: ["hr", "recruitment", "training"] },
  { key: "other", label: "Other", aliases: [] },
];

export type CategoryKey = string;

/** Finds a category by key or alias, case-insensitively; undefined when the word is not a category. */
export function findCategory(word: string, categories: readonly Category[] = DEFAULT_CATEGORIES): Category | undefined {
  const w = word.toLowerCase();
  return categories.find((c) => c.key === w || c.aliases.includes(w));
}

export function categoryLabel(key: string, categories: readonly Category[] = DEFAULT_CATEGORIES): string {
  return categories.find((c) => c.key === key)?.label ?? key;
}
