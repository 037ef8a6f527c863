import { describe, expect, it } from "vitest";
import { DEFAULT_CATEGORIES } from "../../src/domain/categories.ts";
import { PHYSICAL_HARM } from "../../src/domain/harm.ts";
import { EXTERNAL_NOTIFICATIONS, LEARNING_RESPONSES, type IncidentDraft } from "../../src/domain/incident.ts";
import { readIncidentForm } from "../../src/usecases/read-incident-form.ts";
import { INCIDENT_DETAILS_FORM_ID, INCIDENT_FORM_ID, incidentForm } from "../../src/views/incident-form.ts";
import type { FormValues, FormView, Input } from "../../src/views/view.ts";

const NOW = new Date("2026-11-25T14:00:00Z");

/** What a reporter who fills in only the required inputs submits. */
const minimal: FormValues = { category: "medication", summary: "Missed evening meds at Oak House" };

/** Everything filled in. */
const complete: FormValues = {
  event_type: "near_miss",
  category: "medication",
  summary: "Wrong dose prepared, caught before given",
  what_happened: "Night staff prepared 10 mg instead of 5 mg; the second checker noticed.",
  occurred_at: new Date("2026-11-25T02:30:00Z"),
  location: "Oak House",
  service_user_ref: "OH-17",
  age_band: "11-15",
  physical_harm: "none",
  psychological_harm: "low",
  involved: ["U2", "U3"],
  immediate_action: "Dose destroyed and re-prepared; GP informed.",
  notifications: ["regulator", "duty_of_candour"],
  learning_response: "aar",
};

function errorsFor(values: FormValues, now = NOW): Record<string, string> {
  const read = readIncidentForm(values, now);
  if (read.ok) throw new Error(`expected errors, got a draft: ${JSON.stringify(read.draft)}`);
  return read.errors;
}

describe("reading the incident form", () => {
  it("turns a complete form into the draft it describes", () => {
    const read = readIncidentForm(complete, NOW);
    expect(read).toEqual({
      ok: true,
      involvedUserIds: ["U2", "U3"],
      draft: {
        eventType: "near_miss",
        category: "medication",
        summary: "Wrong dose prepared, caught before given",
        whatHappened: "Night staff prepared 10 mg instead of 5 mg; the second checker noticed.",
        occurredAt: new Date("2026-11-25T02:30:00Z"),
        location: "Oak House",
        serviceUserRef: "OH-17",
        ageBand: "11-15",
        physicalHarm: "none",
        psychologicalHarm: "low",
        immediateAction: "Dose destroyed and re-prepared; GP informed.",
        notifications: ["regulator", "duty_of_candour"],
        learningResponse: "aar",
        anonymous: false,
      },
    });
  });

  it("fills the defaults when only category and summary are given, trimming what was typed", () => {
    const read = readIncidentForm({ ...minimal, summary: "  Missed evening meds at Oak House  ", location: "   " }, NOW);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.draft).toMatchObject({
      eventType: "incident",
      summary: "Missed evening meds at Oak House",
      whatHappened: null,
      occurredAt: null,
      location: null,
      physicalHarm: "none",
      psychologicalHarm: null,
      notifications: [],
      learningResponse: "none",
    });
    expect(read.involvedUserIds).toEqual([]);
  });

  it("asks for a category and a summary when they are missing, beside those inputs", () => {
    const errors = errorsFor({ summary: "   " });
    expect(Object.keys(errors).sort()).toEqual(["category", "summary"]);
    expect(errors.category).toMatch(/choose a category.*other/i);
    expect(errors.summary).toMatch(/summary/i);
  });

  it("says how long a summary may be, and where the rest goes", () => {
    const errors = errorsFor({ ...minimal, summary: "x".repeat(151) });
    expect(errors).toEqual({ summary: expect.stringMatching(/150 characters.*What happened/) });
    expect(readIncidentForm({ ...minimal, summary: "x".repeat(150) }, NOW).ok).toBe(true);
  });

  it("gives each invalid choice its own error, keyed by the input's id", () => {
    const errors = errorsFor({
      ...minimal,
      event_type: "disaster",
      category: "weather",
      physical_harm: "catastrophic",
      psychological_harm: "terrible",
      age_band: "12",
      notifications: ["regulator", "the press"],
      learning_response: "inquiry",
    });
    expect(errors).toEqual({
      event_type: expect.stringMatching(/what kind of event/i),
      category: expect.stringMatching(/listed categories/i),
      physical_harm: expect.stringMatching(/physical harm.*No harm/i),
      psychological_harm: expect.stringMatching(/listed levels/i),
      age_band: expect.stringMatching(/age band/i),
      notifications: expect.stringMatching(/listed notifications/i),
      learning_response: expect.stringMatching(/learning response/i),
    });
  });

  it("refuses a time in the future and says so", () => {
    const errors = errorsFor({ ...minimal, occurred_at: new Date(NOW.getTime() + 60 * 60_000) });
    expect(errors).toEqual({ occurred_at: expect.stringMatching(/in the future/i) });
  });

  it("refuses a date before 1900 and says so", () => {
    for (const when of ["1899-12-31T23:59:59Z", "-004713-11-23T23:59:59.999Z"]) {
      expect(errorsFor({ ...minimal, occurred_at: new Date(when) })).toEqual({ occurred_at: "That date is before 1900. When did it happen?" });
    }
    expect(readIncidentForm({ ...minimal, occurred_at: new Date("1975-06-01T00:00:00Z") }, NOW).ok).toBe(true);
  });

  it("allows for a clock a minute or two ahead of ours", () => {
    const read = readIncidentForm({ ...minimal, occurred_at: new Date(NOW.getTime() + 60_000) }, NOW);
    expect(read.ok).toBe(true);
  });

  it("refuses a date that could not be read", () => {
    expect(errorsFor({ ...minimal, occurred_at: new Date("not a date") })).toEqual({ occurred_at: expect.stringMatching(/could not be read/i) });
  });

  it("refuses an NHS number in what happened, beside that input, and says to use the reference", () => {
    const errors = errorsFor({ ...minimal, what_happened: "Meds for 943 476 5919 were not given" });
    expect(errors).toEqual({ what_happened: expect.stringMatching(/NHS number.*reference/) });
  });

  it("refuses a date of birth or NHS number in any free-text input", () => {
    expect(errorsFor({ ...minimal, summary: "Missed meds DOB 12/03/2009" })).toEqual({ summary: expect.stringMatching(/date of birth/) });
    expect(errorsFor({ ...minimal, location: "Oak House, 9434765919" })).toEqual({ location: expect.stringMatching(/NHS number/) });
    expect(errorsFor({ ...minimal, service_user_ref: "born 1/2/2010" })).toEqual({ service_user_ref: expect.stringMatching(/date of birth/) });
    expect(errorsFor({ ...minimal, immediate_action: "Told GP about 4010232137" })).toEqual({ immediate_action: expect.stringMatching(/NHS number/) });
  });

  it("reports every problem at once, so the reporter fixes them in one go", () => {
    const errors = errorsFor({ category: "medication", summary: "", what_happened: "DOB 12/03/2009", occurred_at: new Date("2030-01-01T00:00:00Z") });
    expect(Object.keys(errors).sort()).toEqual(["occurred_at", "summary", "what_happened"]);
  });
});

describe("the incident form", () => {
  const form = incidentForm({ formId: INCIDENT_FORM_ID, title: "Log an incident", submitLabel: "Log it", state: "" });
  const input = (f: FormView, id: string): Input => {
    const found = f.inputs.find((i) => i.id === id);
    if (!found) throw new Error(`the form has no input ${id}`);
    return found;
  };
  const values = (i: Input) => ("options" in i ? i.options.map((o) => o.value) : []);

  it("asks for every field of DOMAIN.md's incident record that a reporter supplies", () => {
    expect(form.inputs.map((i) => i.id)).toEqual([
      "event_type", // event type
      "category",
      "summary",
      "what_happened",
      "occurred_at",
      "location", // service / location
      "service_user_ref", // service-user reference…
      "age_band", // …and age band
      "physical_harm",
      "psychological_harm",
      "involved", // people involved
      "immediate_action",
      "notifications", // external notifications
      "learning_response",
    ]);
  });

  it("offers DOMAIN.md's choices", () => {
    expect(values(input(form, "event_type"))).toEqual(["incident", "near_miss", "concern", "good_practice"]);
    expect(values(input(form, "category"))).toEqual(DEFAULT_CATEGORIES.map((c) => c.key));
    expect(values(input(form, "physical_harm"))).toEqual([...PHYSICAL_HARM]);
    expect(values(input(form, "psychological_harm"))).toEqual(["none", "low", "moderate", "severe"]);
    expect(values(input(form, "notifications"))).toEqual([...EXTERNAL_NOTIFICATIONS]);
    expect(values(input(form, "learning_response"))).toEqual([...LEARNING_RESPONSES]);
    const notifications = input(form, "notifications");
    const labels = "options" in notifications ? notifications.options.map((o) => o.label) : [];
    expect(labels).toEqual(expect.arrayContaining(["Regulator (CQC/Ofsted)", "LADO", "RIDDOR", "Duty of candour"]));
  });

  it("tells the reporter to keep to facts and leave out names", () => {
    expect(form.intro).toMatch(/facts, not opinions/i);
    expect(form.intro).toMatch(/no names/i);
    const ref = input(form, "service_user_ref");
    expect(ref.hint).toMatch(/never a name/i);
  });

  it("requires a category and a summary; the other required choices come preset", () => {
    const required = form.inputs.filter((i) => !i.optional).map((i) => i.id);
    expect(required).toEqual(["event_type", "category", "summary", "physical_harm", "learning_response"]);
    expect(input(form, "event_type")).toMatchObject({ initial: "incident" });
    expect(input(form, "physical_harm")).toMatchObject({ initial: "none" });
    expect(input(form, "learning_response")).toHaveProperty("initial");
    expect(input(form, "category")).not.toHaveProperty("initial");
    expect(input(form, "summary")).not.toHaveProperty("initial");
  });

  it("limits the summary to what the reader accepts", () => {
    expect(input(form, "summary")).toMatchObject({ kind: "text", maxLength: 150 });
  });

  it("is prefilled from an incident, so adding details starts from what was saved", () => {
    const draft: Partial<IncidentDraft> = {
      eventType: "near_miss",
      category: "medication",
      summary: "Wrong dose prepared",
      whatHappened: "Second checker noticed.",
      occurredAt: new Date("2026-11-25T02:30:00Z"),
      location: "Oak House",
      serviceUserRef: "OH-17",
      ageBand: "11-15",
      physicalHarm: "low",
      psychologicalHarm: "moderate",
      immediateAction: "Re-prepared.",
      notifications: ["regulator"],
      learningResponse: "aar",
    };
    const prefilled = incidentForm({
      formId: INCIDENT_DETAILS_FORM_ID,
      title: "Details of INC-4",
      submitLabel: "Save",
      state: "INC-4",
      initial: draft,
      involvedUserIds: ["U2"],
    });
    const initial = Object.fromEntries(prefilled.inputs.map((i) => [i.id, i.initial]));
    expect(initial).toEqual({
      event_type: "near_miss",
      category: "medication",
      summary: "Wrong dose prepared",
      what_happened: "Second checker noticed.",
      occurred_at: new Date("2026-11-25T02:30:00Z"),
      location: "Oak House",
      service_user_ref: "OH-17",
      age_band: "11-15",
      physical_harm: "low",
      psychological_harm: "moderate",
      involved: ["U2"],
      immediate_action: "Re-prepared.",
      notifications: ["regulator"],
      learning_response: "aar",
    });
    expect(prefilled.state).toBe("INC-4");

    // Submitted untouched, the prefilled form gives back the same record.
    const read = readIncidentForm(initial as FormValues, NOW);
    expect(read).toEqual({ ok: true, involvedUserIds: ["U2"], draft: { ...draft, anonymous: false } });
  });
});
