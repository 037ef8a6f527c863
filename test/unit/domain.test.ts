import { describe, expect, it } from "vitest";
import { canClose, canSeeDetails, type IncidentAudience } from "../../src/domain/access.ts";
import { categoryLabel, DEFAULT_CATEGORIES, findCategory } from "../../src/domain/categories.ts";
import { isRestricted, PHYSICAL_HARM, PSYCHOLOGICAL_HARM, type PhysicalHarm, type PsychologicalHarm } from "../../src/domain/harm.ts";
import { findIdentifier, identifierWarning } from "../../src/domain/identifiers.ts";
import { helpView } from "../../src/views/help-view.ts";
import { plainText } from "../../src/views/view.ts";
import { formatActionRef, formatIncidentRef, parseActionRef, parseIncidentRef } from "../../src/domain/references.ts";

describe("categories", () => {
  it("has every default category from DOMAIN.md, each with a label", () => {
    expect(DEFAULT_CATEGORIES.map((c) => c.key)).toEqual([
      "safeguarding", "missing", "medication", "injury", "behaviour", "selfharm", "health", "police",
      "data", "premises", "staffing", "project", "financial", "people", "other",
    ]);
    expect(categoryLabel("safeguarding")).toBe("Safeguarding / allegation of abuse");
    expect(categoryLabel("medication")).toBe("Medication");
    expect(categoryLabel("injury")).toBe("Accident, injury or fall");
  });

  it("finds a category by its key or any alias from DOMAIN.md, whatever the case", () => {
    const aliases: Record<string, string[]> = {
      safeguarding: ["abuse", "allegation", "Safeguarding"],
      missing: ["missing", "absconded"],
      medication: ["meds", "MAR", "medication"],
      injury: ["fall", "accident"],
      behaviour: ["restraint", "assault"],
      health: ["illness"],
      data: ["gdpr", "breach"],
      premises: ["building"],
      staffing: ["rota"],
      project: ["delivery"],
      financial: ["finance", "budget"],
      people: ["hr", "recruitment", "training"],
      police: ["police"],
      other: ["other"],
    };
    for (const [key, words] of Object.entries(aliases)) {
      for (const word of words) expect(findCategory(word)?.key, word).toBe(key);
    }
  });

  it("does not take ordinary words for categories", () => {
    for (const word of ["staff", "low", "missed", "the", "", "medications"]) expect(findCategory(word), word).toBeUndefined();
  });

  it("shows an unknown category key as it is rather than failing", () => {
    expect(categoryLabel("retired-category")).toBe("retired-category");
  });
});

describe("the restricted rule", () => {
  const restricted = (category: string, physicalHarm: PhysicalHarm, psychologicalHarm: PsychologicalHarm | null = null) =>
    isRestricted({ category, physicalHarm, psychologicalHarm });

  it("restricts every safeguarding incident, even with no harm", () => {
    for (const harm of PHYSICAL_HARM) expect(restricted("safeguarding", harm), harm).toBe(true);
  });

  it("restricts physical harm of moderate or worse in any category", () => {
    for (const category of ["medication", "injury", "other"]) {
      expect(restricted(category, "moderate")).toBe(true);
      expect(restricted(category, "severe")).toBe(true);
      expect(restricted(category, "death")).toBe(true);
    }
  });

  it("restricts severe psychological harm, but not moderate", () => {
    expect(restricted("behaviour", "none", "severe")).toBe(true);
    expect(restricted("behaviour", "none", "moderate")).toBe(false);
  });

  it("does not restrict other incidents", () => {
    for (const category of DEFAULT_CATEGORIES.map((c) => c.key).filter((k) => k !== "safeguarding")) {
      for (const physical of ["none", "low"] as const) {
        for (const psychological of [null, ...PSYCHOLOGICAL_HARM.filter((h) => h !== "severe")]) {
          expect(restricted(category, physical, psychological), `${category} ${physical} ${psychological}`).toBe(false);
        }
      }
    }
  });

  it("is told in /debrief help as it is applied, severe psychological harm included", () => {
    const help = helpView(["/incident …"]).sections!.map((s) => plainText(s.text ?? "")).join("\n");
    expect(help).toContain("Restricted incidents (safeguarding, physical harm moderate or worse, or psychological harm severe)");
  });
});

describe("identifiers in free text", () => {
  // Valid NHS numbers (modulus 11 check digit correct); 943 476 5919 is the NHS's own published example.
  const nhsNumbers = ["9434765919", "943 476 5919", "943-476-5919", "4010232137", "987 654 3210"];

  it("finds NHS numbers with a valid check digit, however they are spaced", () => {
    for (const n of nhsNumbers) expect(findIdentifier(`Meds given to ${n} late`), n).toBe("NHS number");
  });

  it("does not flag the same digits once the check digit is wrong", () => {
    expect(findIdentifier("ref 9434765918")).toBeUndefined();
    expect(findIdentifier("ref 4010232138")).toBeUndefined();
  });

  it("does not flag ten-digit phone numbers whose check digit does not work out", () => {
    for (const phone of ["1234567890", "2079460000", "1614960000", "7700900123", "770 090 0123"]) {
      expect(findIdentifier(`Called the GP on ${phone}`), phone).toBeUndefined();
    }
  });

  it("does not flag UK phone numbers written as eleven digits", () => {
    expect(findIdentifier("Ring the office on 020 7946 0000 or 07700 900123")).toBeUndefined();
  });

  it("finds dates of birth written after DOB, date of birth or born", () => {
    for (const text of ["DOB 12/03/2009", "d.o.b: 1.2.2010", "Date of birth 2009-03-12", "born on 12/03/2009", "dob:12-3-09"]) {
      expect(findIdentifier(text), text).toBe("date of birth");
    }
  });

  it("leaves ordinary dates and text alone", () => {
    expect(findIdentifier("Fell in the garden on 12/03/2026 at 9pm")).toBeUndefined();
    expect(findIdentifier("Missed evening meds at Oak House")).toBeUndefined();
    expect(findIdentifier("")).toBeUndefined();
    expect(findIdentifier(null)).toBeUndefined();
  });

  it("warns in words that say what to do instead", () => {
    expect(identifierWarning("NHS number")).toMatch(/NHS number.*leave it out.*reference/i);
    expect(identifierWarning("date of birth")).toMatch(/date of birth/);
  });
});

describe("who sees and closes an incident", () => {
  const audience: IncidentAudience = {
    reporterId: "reporter",
    involved: ["involved-1", "involved-2"],
    leadId: "lead",
    managers: ["manager"],
  };

  it("shows the details to the reporter, those involved, their managers and the lead", () => {
    for (const who of ["reporter", "involved-1", "involved-2", "lead", "manager"]) expect(canSeeDetails(who, audience), who).toBe(true);
  });

  it("does not show them to anyone else", () => {
    expect(canSeeDetails("colleague", audience)).toBe(false);
    expect(canSeeDetails("colleague", { ...audience, leadId: null })).toBe(false);
  });

  it("lets the reporter, the lead and a line manager close it, but not those involved or others", () => {
    expect(canClose("reporter", audience)).toBe(true);
    expect(canClose("lead", audience)).toBe(true);
    expect(canClose("manager", audience)).toBe(true);
    expect(canClose("involved-1", audience)).toBe(false);
    expect(canClose("colleague", audience)).toBe(false);
  });
});

describe("references", () => {
  it("formats incidents as INC-n and actions as A-n", () => {
    expect(formatIncidentRef(1)).toBe("INC-1");
    expect(formatIncidentRef(120)).toBe("INC-120");
    expect(formatActionRef(7)).toBe("A-7");
  });

  it("reads references as people type them", () => {
    expect(parseIncidentRef("INC-12")).toBe(12);
    expect(parseIncidentRef("inc-12")).toBe(12);
    expect(parseIncidentRef("INC12")).toBe(12);
    expect(parseIncidentRef(" INC-3 ")).toBe(3);
    expect(parseActionRef("A-7")).toBe(7);
    expect(parseActionRef("a7")).toBe(7);
  });

  it("refuses what is not a reference", () => {
    for (const text of ["INC-", "12", "INC-12a", "A-7", "incident 12", ""]) expect(parseIncidentRef(text), text).toBeUndefined();
    for (const text of ["A-", "INC-7", "7"]) expect(parseActionRef(text), text).toBeUndefined();
  });

  it("round-trips", () => {
    for (const n of [1, 9, 10, 999999]) expect(parseIncidentRef(formatIncidentRef(n))).toBe(n);
  });
});
