import { describe, expect, it } from "vitest";
import { parseQuestionSets, QUESTION_SETS, questionSetFor, type QuestionSetId } from "../../src/domain/question-sets.ts";

const CHOICES = "gibbs (Gibbs), aar (After Action Review), driscoll (Now what), impact (Impact on practice)";

describe("the reflection question sets", () => {
  it("ask Gibbs' six questions, worded as in DOMAIN.md", () => {
    expect(QUESTION_SETS.gibbs).toEqual({
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
    });
  });

  it("ask the four of an After Action Review", () => {
    expect(QUESTION_SETS.aar.name).toBe("After Action Review");
    expect(QUESTION_SETS.aar.questions).toEqual([
      "What was expected to happen?",
      "What actually happened?",
      "Why was there a difference?",
      "What will we do differently next time?",
    ]);
  });

  it("ask Driscoll's What? So what? Now what?, under the name 'Now what'", () => {
    expect(QUESTION_SETS.driscoll.name).toBe("Now what");
    expect(QUESTION_SETS.driscoll.questions).toEqual([
      "What? What happened, and what did you do?",
      "So what? How did you feel, and why did it matter?",
      "Now what? What will you change?",
    ]);
  });

  it("ask the three about impact on practice that CPD evidence needs", () => {
    expect(QUESTION_SETS.impact.name).toBe("Impact on practice");
    expect(QUESTION_SETS.impact.questions).toEqual([
      "What have you done differently since?",
      "What difference has it made to the people you support?",
      "What would you still like to learn?",
    ]);
  });

  it("each know their own id", () => {
    for (const [id, set] of Object.entries(QUESTION_SETS)) expect(set.id).toBe(id);
  });
});

describe("which set a prompt asks", () => {
  const schedule = (steps: number, chosen?: readonly QuestionSetId[]) =>
    Array.from({ length: steps }, (_, step) => questionSetFor(step, steps, chosen));

  it.each<[number, QuestionSetId[]]>([
    [1, ["gibbs"]],
    [2, ["gibbs", "impact"]],
    [3, ["gibbs", "driscoll", "impact"]],
    [4, ["gibbs", "driscoll", "driscoll", "impact"]],
  ])("with %i prompts, by default: %j", (steps, expected) => {
    expect(schedule(steps)).toEqual(expected);
  });

  it("is the team's pick for a step where it made one, and the default elsewhere", () => {
    expect(schedule(3, ["aar", "driscoll", "impact"])).toEqual(["aar", "driscoll", "impact"]);
    expect(schedule(3, ["aar"])).toEqual(["aar", "driscoll", "impact"]);
    expect(schedule(4, ["gibbs", "aar", "aar", "gibbs"])).toEqual(["gibbs", "aar", "aar", "gibbs"]);
    expect(schedule(2, ["impact", "driscoll", "aar"])).toEqual(["impact", "driscoll"]);
  });

  it.each([
    [3, 3],
    [-1, 3],
    [0, 0],
    [1.5, 3],
  ])("refuses step %s of %s, which is not in the schedule", (step, steps) => {
    expect(() => questionSetFor(step, steps)).toThrow(RangeError);
  });
});

describe("reading a team's choice of sets", () => {
  it.each<[string, QuestionSetId[]]>([
    ["gibbs,driscoll,impact", ["gibbs", "driscoll", "impact"]],
    ["Gibbs, AAR , Impact", ["gibbs", "aar", "impact"]],
    ["  driscoll  ", ["driscoll"]],
    ["aar,aar", ["aar", "aar"]],
  ])("reads %j as %j", (text, expected) => {
    expect(parseQuestionSets(text)).toEqual(expected);
  });

  it("says which word is not a set, and lists the sets", () => {
    expect(parseQuestionSets("gibbs,Kolb,impact")).toEqual({ problem: `\`Kolb\` is not a question set. The sets are ${CHOICES}.` });
    expect(parseQuestionSets("now what")).toEqual({ problem: `\`now what\` is not a question set. The sets are ${CHOICES}.` });
    expect(parseQuestionSets("gibbs;impact")).toEqual({ problem: `\`gibbs;impact\` is not a question set. The sets are ${CHOICES}.` });
  });

  it("says which prompt has no set when a comma is doubled", () => {
    expect(parseQuestionSets("gibbs,,impact")).toEqual({ problem: `Prompt 2 has no question set. The sets are ${CHOICES}.` });
  });

  it("asks for sets when there are none", () => {
    const expected = { problem: `Name a question set for each prompt, separated by commas, e.g. gibbs,driscoll,impact. The sets are ${CHOICES}.` };
    expect(parseQuestionSets("")).toEqual(expected);
    expect(parseQuestionSets(" , ")).toEqual(expected);
  });

  it("keeps a stray backtick from breaking the message's code span", () => {
    expect(parseQuestionSets("gi`bbs")).toEqual({ problem: `\`gi'bbs\` is not a question set. The sets are ${CHOICES}.` });
  });
});
