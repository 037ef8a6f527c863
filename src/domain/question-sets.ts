/** The reflection question sets a prompt can ask (DOMAIN.md, "Reflection question sets"). */
export type QuestionSetId = "gibbs" | "aar" | "driscoll" | "impact";

export interface QuestionSet {
  readonly id: QuestionSetId;
  readonly name: string;
  readonly questions: readonly string[];
}

// Worded as in DOMAIN.md: they ask about the situation and the system, never who is to blame.
export const QUESTION_SETS: Readonly<Record<QuestionSetId, QuestionSet>> = {
  gibbs: {
    id: "gibbs",
    name: "Gibbs",
    questions: [
      "What happened?",
      "What were you thinking and feeling?",
      "What went well, and what did not?",
      "What sense can you make of it — what helped, what got in the way?",
      "What else could have been done, and what did you learn?",
      "If it happened again, what would you do?",
    ],
  },
  aar: {
    id: "aar",
    name: "After Action Review",
    questions: [
      "What was expected to happen?",
      "What actually happened?",
      "Why was there a difference?",
      "What will we do differently next time?",
    ],
  },
  driscoll: {
    id: "driscoll",
    name: "Now what",
    questions: [
      "What? What happened, and what did you do?",
      "So what? How did you feel, and why did it matter?",
      "Now what? What will you change?",
    ],
  },
  impact: {
    id: "impact",
    name: "Impact on practice",
    questions: [
      "What have you done differently since?",
      "What difference has it made to the people you support?",
      "What would you still like to learn?",
    ],
  },
};

const IDS = Object.keys(QUESTION_SETS) as QuestionSetId[];

const isQuestionSetId = (word: string): word is QuestionSetId => (IDS as string[]).includes(word);

/**
 * The set for prompt `step` (0-based) of `steps`. By default the first asks what happened (Gibbs), the last asks for
 * the impact on practice that CPD evidence needs, and any between ask what will change; a team's pick for a step wins.
 */
export function questionSetFor(step: number, steps: number, chosen?: readonly QuestionSetId[]): QuestionSetId {
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(step) || step < 0 || step >= steps) {
    throw new RangeError(`no prompt ${step} in a schedule of ${steps}`);
  }
  const picked = chosen?.[step];
  if (picked) return picked;
  if (step === 0) return "gibbs";
  return step === steps - 1 ? "impact" : "driscoll";
}

const CHOICES = IDS.map((id) => `${id} (${QUESTION_SETS[id].name})`).join(", ");

/** Reads a team's per-prompt choice ("gibbs,driscoll,impact"), or says which word is not a set and what the sets are. */
export function parseQuestionSets(text: string): QuestionSetId[] | { problem: string } {
  const words = text.split(",").map((word) => word.trim());
  if (words.every((word) => word === "")) {
    return { problem: `Name a question set for each prompt, separated by commas, e.g. gibbs,driscoll,impact. The sets are ${CHOICES}.` };
  }
  const sets: QuestionSetId[] = [];
  for (const [i, word] of words.entries()) {
    if (word === "") return { problem: `Prompt ${i + 1} has no question set. The sets are ${CHOICES}.` };
    const id = word.toLowerCase();
    if (!isQuestionSetId(id)) return { problem: `\`${word.replace(/`/g, "'")}\` is not a question set. The sets are ${CHOICES}.` };
    sets.push(id);
  }
  return sets;
}
