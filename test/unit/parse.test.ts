import { describe, it, expect } from "vitest";
import { parseCommand, USAGE } from "../../src/commands/parse.ts";
import { COMMAND_NAMES } from "../../src/commands/command.ts";
import type { Command, CommandName } from "../../src/commands/command.ts";

const incident = (text: string): Command => parseCommand("incident", text);
const action = (text: string): Command => parseCommand("action", text);
const reflect = (text: string): Command => parseCommand("reflect", text);
const debrief = (text: string): Command => parseCommand("debrief", text);

/** The problem shown for bad input; fails the test when the input was accepted. */
function problemFor(name: CommandName, text: string): string {
  const command = parseCommand(name, text);
  if (command.kind !== "invalid") throw new Error(`expected invalid, got ${JSON.stringify(command)}`);
  return command.problem;
}

describe("/incident", () => {
  it("opens an empty incident form when nothing follows the command", () => {
    expect(incident("")).toEqual({ kind: "incident.form", category: null, harm: null });
    expect(incident("   ")).toEqual({ kind: "incident.form", category: null, harm: null });
  });

  it("logs at once with category, harm and summary", () => {
    expect(incident("safeguarding moderate Missed medication at Oak House")).toEqual({
      kind: "incident.log",
      category: "safeguarding",
      harm: "moderate",
      summary: "Missed medication at Oak House",
    });
  });

  it("logs with only a summary when the first word is not a category or harm", () => {
    expect(incident("Resident refused dinner")).toEqual({
      kind: "incident.log",
      category: null,
      harm: null,
      summary: "Resident refused dinner",
    });
  });

  it("logs with a category but no harm", () => {
    expect(incident("police Called about a neighbour dispute")).toMatchObject({
      kind: "incident.log",
      category: "police",
      harm: null,
      summary: "Called about a neighbour dispute",
    });
  });

  it("keeps a leading harm word in the summary when no category comes first", () => {
    expect(incident("low staffing at night")).toMatchObject({
      kind: "incident.log",
      category: null,
      harm: null,
      summary: "low staffing at night",
    });
    expect(incident("None of the fire doors closed")).toMatchObject({ harm: null, summary: "None of the fire doors closed" });
  });

  it.each([
    ["meds", "medication"],
    ["fall", "injury"],
    ["budget", "financial"],
    ["gdpr", "data"],
  ])("files the alias %s under its category %s", (alias, key) => {
    expect(incident(`${alias} none Something happened`)).toMatchObject({ category: key, harm: "none", summary: "Something happened" });
  });

  it("reads category and harm case-insensitively", () => {
    expect(incident("MEDS Low Missed evening meds")).toMatchObject({
      kind: "incident.log",
      category: "medication",
      harm: "low",
      summary: "Missed evening meds",
    });
  });

  it("opens the form prefilled when a category and harm are given without a summary", () => {
    expect(incident("medication low")).toEqual({ kind: "incident.form", category: "medication", harm: "low" });
    expect(incident("fall")).toEqual({ kind: "incident.form", category: "injury", harm: null });
    expect(incident("Safeguarding  MODERATE ")).toEqual({ kind: "incident.form", category: "safeguarding", harm: "moderate" });
  });

  it("never treats unknown words as an error", () => {
    expect(incident("frobnicate the widget")).toMatchObject({ kind: "incident.log", summary: "frobnicate the widget" });
  });

  it("keeps the summary as typed, spacing and case included", () => {
    expect(incident("  meds   Missed  the 8pm   dose  ")).toMatchObject({ category: "medication", summary: "Missed  the 8pm   dose" });
  });

  it("lists incidents", () => {
    expect(incident("list")).toEqual({ kind: "incident.list" });
    expect(incident(" LIST ")).toEqual({ kind: "incident.list" });
  });

  it.each(["INC-12", "inc-12", "INC12"])("shows incident %s", (ref) => {
    expect(incident(`show ${ref}`)).toEqual({ kind: "incident.show", ref: 12 });
  });

  it("does not read a bare number as an incident reference", () => {
    expect(incident("show 12")).toMatchObject({ kind: "incident.log", summary: "show 12" });
  });

  it("closes an incident without a lesson", () => {
    expect(incident("close INC-12")).toEqual({ kind: "incident.close", ref: 12, lesson: null });
  });

  it("closes an incident with the lesson as typed", () => {
    expect(incident("Close inc-3  Check the MAR chart at handover")).toEqual({
      kind: "incident.close",
      ref: 3,
      lesson: "Check the MAR chart at handover",
    });
  });

  it.each(["show", "close", "SHOW"])("asks which incident for /incident %s alone, rather than logging an incident called that", (word) => {
    expect(incident(word)).toMatchObject({ kind: "invalid", problem: expect.stringContaining("Which incident? Add its reference") });
  });

  it("shows help for /incident help", () => {
    expect(incident("help")).toEqual({ kind: "debrief.help" });
  });

  it.each([
    ["close call with a car at the park"],
    ["show of aggression in the lounge"],
    ["list of missing meds"],
    ["help needed with night cover"],
    ["show incontinence pads ran out"],
    ["close INCIDENT door left open"],
    ["list of medications not updated"],
  ])("logs %j as an incident because it is not shaped like a subcommand", (text) => {
    expect(incident(text)).toEqual({ kind: "incident.log", category: null, harm: null, summary: text });
  });

  it.each([
    ["show INC-1 please", "/incident show takes one reference, so I wasn't sure what to do with `please`."],
    ["show INC-3 YP-12 said he was hit", "/incident show takes one reference, so I wasn't sure what to do with `YP-12 said he was hit`."],
    ["show INC--1", "`INC--1` isn't an incident reference: one looks like INC-12."],
    ["show INC-1.5", "`INC-1.5` isn't an incident reference: one looks like INC-12."],
    ["show INC-１", "`INC-１` isn't an incident reference: one looks like INC-12."],
    ["show INC-99999999999999999999", "`INC-99999999999999999999` isn't an incident reference: one looks like INC-12."],
    ["close INC-99999999999999999999 lesson x", "`INC-99999999999999999999` isn't an incident reference: one looks like INC-12."],
    ["list open", "/incident list takes nothing more, so I wasn't sure what to do with `open`."],
  ])("asks about %j, a show, close or list mistyped, rather than announcing it to the team as an incident", (text, said) => {
    expect(incident(text)).toMatchObject({ kind: "invalid", problem: expect.stringContaining(said) });
  });

  it("keeps &, < and > in the summary as the user typed them", () => {
    expect(incident("Tom & Jerry said <!channel> > 3 times")).toMatchObject({
      summary: "Tom & Jerry said <!channel> > 3 times",
    });
  });

  it("keeps the lesson as typed too", () => {
    expect(incident("close INC-1 Staff & residents need a fire drill")).toMatchObject({
      lesson: "Staff & residents need a fire drill",
    });
  });

  it("keeps a Slack special mention in the summary rather than failing", () => {
    expect(incident("<!channel> the boiler is broken")).toMatchObject({
      kind: "incident.log",
      summary: "<!channel> the boiler is broken",
    });
  });
});

describe("/action", () => {
  it("adds an action with a console mention", () => {
    expect(action("INC-12 <@sam> by friday Update the risk assessment")).toEqual({
      kind: "action.add",
      incidentRef: 12,
      owner: { userId: "sam" },
      due: "by friday",
      text: "Update the risk assessment",
    });
  });

  it.each([
    ["<@U123>", "U123"],
    ["<@sam>", "sam"],
    ["<@29:1AbC-dEf>", "29:1AbC-dEf"],
  ])("reads the owner from the mention %s", (mention, userId) => {
    expect(action(`INC-1 ${mention} tomorrow Call the GP`)).toMatchObject({ kind: "action.add", owner: { userId } });
  });

  it.each([
    ["by 2026-12-01", "Review the care plan"],
    ["by friday", "Review the care plan"],
    ["by next friday", "Review the care plan"],
    ["in 3 days", "Review the care plan"],
    ["in 1 week", "Review the care plan"],
    ["in 2 hours", "Review the care plan"],
    ["in 30 minutes", "Review the care plan"],
    ["in a day", "Review the care plan"],
    ["tomorrow 5pm", "Review the care plan"],
    ["tomorrow", "Review the care plan"],
    ["today 5:30pm", "Review the care plan"],
    ["tonight", "Review the care plan"],
    ["tomorrow at 17:00", "Review the care plan"],
    ["today noon", "Review the care plan"],
    ["2026-12-01", "Review the care plan"],
    ["2026-12-01T17:00", "Review the care plan"],
    ["2026-12-01 09:30", "Review the care plan"],
    ["monday", "Review the care plan"],
    ["next monday", "Review the care plan"],
    ["this thursday 9am", "Review the care plan"],
    // Kept whole so the reply can say what is wrong with them: past, or too far ahead.
    ["by last friday", "Review the care plan"],
    ["yesterday", "Review the care plan"],
    ["by 26/11", "Review the care plan"],
    ["26/11/2026 5pm", "Review the care plan"],
    ["in 100000 years", "Review the care plan"],
    ["in 2 years", "Review the care plan"],
  ])("keeps the due phrase %j as typed and the rest as the action", (due, text) => {
    expect(action(`INC-4 <@sam> ${due} ${text}`)).toMatchObject({ kind: "action.add", due, text });
  });

  it("keeps the due phrase's case and collapses its spacing", () => {
    expect(action("INC-4 <@sam>   Next   Monday   Ring the LADO")).toMatchObject({ due: "Next Monday", text: "Ring the LADO" });
  });

  it("keeps the action text as typed", () => {
    expect(action("INC-4 <@sam> tomorrow Check doors & windows")).toMatchObject({ text: "Check doors & windows" });
  });

  it("keeps a due phrase as typed, so it is echoed as typed", () => {
    expect(action("INC-4 <@U1> by <tomorrow> Call the GP")).toMatchObject({ due: "by <tomorrow>", text: "Call the GP" });
    expect(parseCommand("action", "extend A-2 <friday> & after")).toMatchObject({ kind: "action.extend", due: "<friday> & after" });
  });

  it("takes a mention's user id exactly as the adapter wrote it", () => {
    expect(action("INC-1 <@U0ABC> tomorrow Call the GP")).toMatchObject({ owner: { userId: "U0ABC" } });
    expect(debrief("lead <@sam>")).toEqual({ kind: "debrief.lead", person: { userId: "sam" } });
  });

  it("says what an incident reference looks like when it is missing", () => {
    expect(problemFor("action", "<@sam> tomorrow Call the GP")).toContain("incident reference");
    expect(problemFor("action", "12 <@sam> tomorrow Call the GP")).toContain("INC-12");
  });

  it("asks who owns the action when nobody is mentioned", () => {
    const problem = problemFor("action", "INC-12 sam tomorrow Call the GP");
    expect(problem).toContain("Who owns this action");
    expect(problem).toContain("@sam");
  });

  it("asks when the action is due when there is no due phrase", () => {
    const problem = problemFor("action", "INC-12 <@sam> Call the GP");
    expect(problem).toContain("When is it due");
    expect(problem).toContain("in 3 days");
  });

  it("asks when the action is due when the text stops after the owner", () => {
    expect(problemFor("action", "INC-12 <@sam>")).toContain("When is it due");
    expect(problemFor("action", "INC-12 <@sam> by")).toContain("When is it due");
    expect(problemFor("action", "INC-12 <@sam> in 3 fortnights Call")).toContain("When is it due");
  });

  it("asks what the action is when nothing follows the due date", () => {
    expect(problemFor("action", "INC-12 <@sam> tomorrow 5pm")).toContain("What is the action");
  });

  it("asks which incident when /action is typed alone", () => {
    expect(problemFor("action", "")).toContain("INC-12");
  });

  it("names an unknown subcommand", () => {
    expect(problemFor("action", "frobnicate A-7")).toBe("`frobnicate` isn't something I know for /action.");
  });

  it("lists my actions", () => {
    expect(action("list")).toEqual({ kind: "action.list", person: null });
  });

  it("lists someone else's actions", () => {
    expect(action("list <@U9>")).toEqual({ kind: "action.list", person: { userId: "U9" } });
    expect(action("LIST <@alex>")).toEqual({ kind: "action.list", person: { userId: "alex" } });
  });

  it("asks whose actions when /action list names someone without a mention", () => {
    expect(problemFor("action", "list alex")).toContain("Mention them");
  });

  it("says what it could not use after /action list @person", () => {
    expect(problemFor("action", "list <@alex> <@sam>")).toContain("`<@sam>`");
  });

  it("marks an action done with or without a note", () => {
    expect(action("done A-7")).toEqual({ kind: "action.done", ref: 7, note: null });
    expect(action("done a7 Spoke to the family & GP")).toEqual({ kind: "action.done", ref: 7, note: "Spoke to the family & GP" });
  });

  it("says what an action reference looks like when it is missing", () => {
    expect(problemFor("action", "done")).toContain("A-7");
    expect(problemFor("action", "done INC-7")).toContain("action reference");
    expect(problemFor("action", "extend")).toContain("action reference");
    expect(problemFor("action", "reassign seven <@sam>")).toContain("action reference");
  });

  it("reassigns an action", () => {
    expect(action("reassign A-7 <@U42>")).toEqual({ kind: "action.reassign", ref: 7, person: { userId: "U42" } });
  });

  it("asks who should own a reassigned action when nobody is mentioned", () => {
    expect(problemFor("action", "reassign A-7")).toContain("Who should own it now");
  });

  it("says what it could not use after /action reassign A-7 @person", () => {
    expect(problemFor("action", "reassign A-7 <@sam> because she is back")).toContain("`because she is back`");
  });

  it("extends an action with the rest as the new due phrase", () => {
    expect(action("extend A-7 next   friday 5pm")).toEqual({ kind: "action.extend", ref: 7, due: "next friday 5pm" });
  });

  it("asks for the new due date when /action extend has none", () => {
    expect(problemFor("action", "extend A-7")).toContain("When is it due");
  });

  it("cancels an action with the rest as why, and asks why when there is none", () => {
    expect(action("cancel A-7 The resident has moved on")).toEqual({ kind: "action.cancel", ref: 7, reason: "The resident has moved on" });
    expect(problemFor("action", "cancel A-7")).toContain("Why is it cancelled?");
    expect(problemFor("action", "cancel")).toContain("A-7");
  });
});

describe("/reflect", () => {
  it("shows my pending reflection prompts", () => {
    expect(reflect("")).toEqual({ kind: "reflect.pending" });
    expect(reflect("  ")).toEqual({ kind: "reflect.pending" });
  });

  it("exports my reflections", () => {
    expect(reflect("export")).toEqual({ kind: "reflect.export" });
    expect(reflect("Export")).toEqual({ kind: "reflect.export" });
    expect(reflect("team")).toEqual({ kind: "reflect.team" });
  });

  it("names anything else as unknown", () => {
    expect(problemFor("reflect", "later please")).toBe("`later` isn't something I know for /reflect.");
  });

  it("says what it could not use after /reflect export", () => {
    expect(problemFor("reflect", "export as pdf")).toContain("`as pdf`");
  });
});

describe("/debrief", () => {
  it("shows help when nothing follows the command", () => {
    expect(debrief("")).toEqual({ kind: "debrief.help" });
  });

  it.each([
    ["setup", "debrief.setup"],
    ["settings", "debrief.settings"],
    ["help", "debrief.help"],
    ["SETUP", "debrief.setup"],
  ])("understands %s", (text, kind) => {
    expect(debrief(text)).toEqual({ kind });
  });

  it("sets a reporting line", () => {
    expect(debrief("manager <@U1> <@U2>")).toEqual({
      kind: "debrief.manager",
      person: { userId: "U1" },
      manager: { userId: "U2" },
    });
    expect(debrief("manager <@sam> <@alex>")).toMatchObject({ person: { userId: "sam" }, manager: { userId: "alex" } });
  });

  it("asks whose manager is being set when nobody is mentioned", () => {
    expect(problemFor("debrief", "manager")).toContain("Whose manager");
  });

  it("asks who the manager is when only the person is mentioned", () => {
    expect(problemFor("debrief", "manager <@sam>")).toContain("Who is their manager");
    expect(problemFor("debrief", "manager <@sam> alex")).toContain("Who is their manager");
  });

  it("sets the team's lead", () => {
    expect(debrief("lead <@U7>")).toEqual({ kind: "debrief.lead", person: { userId: "U7" } });
  });

  it("asks who the lead is when nobody is mentioned", () => {
    expect(problemFor("debrief", "lead")).toContain("Who is the team's lead");
  });

  it("names an unknown subcommand", () => {
    expect(problemFor("debrief", "frobnicate")).toBe("`frobnicate` isn't something I know for /debrief.");
  });

  it("says what it could not use after /debrief setup", () => {
    expect(problemFor("debrief", "setup now")).toContain("`now`");
  });

  it("does not treat object property names as subcommands", () => {
    expect(debrief("constructor")).toMatchObject({ kind: "invalid" });
    expect(debrief("toString")).toMatchObject({ kind: "invalid" });
  });
});

describe("/debrief settings", () => {
  const change = (setting: string, value: string | null) => ({ kind: "debrief.settings.change", setting, value });

  it("changes one setting, named as typed in kebab case or as its environment variable, in any case", () => {
    expect(debrief("settings reflection-schedule P2D,P14D")).toEqual(change("REFLECTION_SCHEDULE", "P2D,P14D"));
    expect(debrief("Settings Working-Hours Mon-Fri 07:00-19:00")).toEqual(change("WORKING_HOURS", "Mon-Fri 07:00-19:00"));
    expect(debrief("settings WORKING_HOURS always")).toEqual(change("WORKING_HOURS", "always"));
    expect(debrief("settings time-zone Europe/Dublin")).toEqual(change("TIME_ZONE", "Europe/Dublin"));
    expect(debrief("settings question-sets gibbs,aar,impact")).toEqual(change("QUESTION_SETS", "gibbs,aar,impact"));
  });

  it("keeps a value of several words as typed", () => {
    expect(debrief("settings escalation-ladder PT0S:owner, P2D:manager")).toEqual(change("ESCALATION_LADDER", "PT0S:owner, P2D:manager"));
  });

  it("goes back to the workspace's default with default, in any case", () => {
    expect(debrief("settings reflection-schedule default")).toEqual(change("REFLECTION_SCHEDULE", null));
    expect(debrief("settings prompt-min-gap DEFAULT")).toEqual(change("PROMPT_MIN_GAP", null));
  });

  it("names a setting it does not know, and lists those it does", () => {
    expect(problemFor("debrief", "settings sweep-every PT5M")).toBe(
      "`sweep-every` isn't a setting I know. The settings are time-zone, working-hours, reflection-schedule, reflection-reminder, prompt-min-gap, escalation-ladder, question-sets.",
    );
  });

  it("asks for a value when only the name is given", () => {
    expect(problemFor("debrief", "settings working-hours")).toBe(
      "What should working-hours be? Give a value after it, e.g. /debrief settings working-hours Mon-Fri 08:00-18:00 — or default to go back to the workspace's.",
    );
  });

  it("refuses a value its rule refuses, saying what was wrong and the right form, and keeps what was typed", () => {
    const typed = "settings reflection-schedule P1D, next week";
    expect(debrief(typed)).toEqual({
      kind: "invalid",
      command: "debrief",
      problem:
        'reflection-schedule="next week" is not an ISO-8601 duration; use a form like PT1H, P1D or P1DT12H. For example: /debrief settings reflection-schedule P1D,P7D,P30D',
      usage: USAGE.debrief,
      typed,
    });
    expect(problemFor("debrief", "settings working-hours weekdays")).toContain("For example: /debrief settings working-hours Mon-Fri 08:00-18:00");
    expect(problemFor("debrief", "settings question-sets gibbs,kolb")).toContain("`kolb` is not a question set");
    expect(problemFor("debrief", "settings time-zone default please")).toContain('time-zone="default please" is not an IANA time zone');
  });

  it("does not echo a huge value back in full", () => {
    const problem = problemFor("debrief", `settings time-zone ${"x".repeat(5_000)}`);
    expect(problem).toBe("That is too long for time-zone. It looks like this: /debrief settings time-zone Europe/London");
  });

  it("shows how to change settings in the usage", () => {
    expect(USAGE.debrief).toContain("/debrief settings <name> <value…>");
    expect(USAGE.debrief).toContain("/debrief settings <name> default");
  });
});

describe("bad input", () => {
  it("shows the command's usage and keeps everything that was typed", () => {
    const typed = "  frobnicate   with  spaces ";
    expect(debrief(typed)).toEqual({
      kind: "invalid",
      command: "debrief",
      problem: "`frobnicate` isn't something I know for /debrief.",
      usage: USAGE.debrief,
      typed,
    });
  });

  it("gives back typed text as it was typed", () => {
    expect(action("INC-1 <@sam> Fix <door>")).toMatchObject({ kind: "invalid", typed: "INC-1 <@sam> Fix <door>" });
  });

  it("does not echo a huge word back in full", () => {
    const problem = problemFor("reflect", "x".repeat(5_000));
    expect(problem.length).toBeLessThan(100);
    expect(problem).toContain("…");
  });
});

describe("usage", () => {
  it.each(COMMAND_NAMES)("is given for /%s, one line per form", (name) => {
    const lines = USAGE[name].split("\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^(\/\S+|\s)/);
  });

  it("follows the contract's forms", () => {
    expect(USAGE.incident).toContain("/incident [category] [harm] <summary…>");
    expect(USAGE.incident).toContain("/incident close INC-12 [lesson…]");
    expect(USAGE.action).toContain("/action INC-12 @owner <due> <text…>");
    expect(USAGE.action).toContain("/action extend A-7 <due>");
    expect(USAGE.reflect).toContain("/reflect export");
    expect(USAGE.debrief).toContain("/debrief manager @person @manager");
  });

  it("lines up the descriptions in one column", () => {
    expect(USAGE.debrief.split("\n")[0]).toBe(
      "/debrief setup                             make this channel a team space (incidents announced, escalations posted here)",
    );
  });
});

describe("any input", () => {
  const KINDS = new Set([
    "incident.form", "incident.log", "incident.list", "incident.show", "incident.close",
    "action.add", "action.list", "action.done", "action.reassign", "action.extend",
    "reflect.pending", "reflect.export",
    "debrief.setup", "debrief.manager", "debrief.lead", "debrief.settings", "debrief.settings.change", "debrief.help", "invalid",
  ]);

  /** Deterministic pseudo-random strings from a mix of words, markup and odd characters. */
  function garbage(count: number): string[] {
    const pieces = [
      "INC-1", "A-2", "@sam", "<@U1>", "<@U1|x y>", "<!channel>", "&lt;", "&amp;", "by", "in", "3", "days",
      "next", "friday", "5pm", "list", "show", "close", "done", "extend", "reassign", "manager", "lead",
      "export", "meds", "low", "<", ">", "|", "`", "\t", "\n", " ", "😀", "é", "\u00a0", "\u200b", "",
    ];
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    return Array.from({ length: count }, () =>
      Array.from({ length: Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join(" "),
    );
  }

  const awkward = [
    "", " ", "\t\n  ", "x".repeat(10_000), "word ".repeat(2_000), "<@U1> <@U2> <@U3>", "@a @b", "<!channel>",
    "<!here|here>", "<@", "<@>", "@", "&lt;!channel&gt;", "😀😀😀", "\u0000", "INC-999999999999", "A-", "by", "in 3",
  ];

  it.each(COMMAND_NAMES)("never throws for /%s and always returns a known command", (name) => {
    for (const text of [...awkward, ...garbage(500)]) {
      const command = parseCommand(name, text);
      expect(KINDS.has(command.kind), `${name} ${JSON.stringify(text)}`).toBe(true);
      if (command.kind === "invalid") {
        expect(command.problem.length).toBeLessThan(200);
      }
    }
  });

  it("logs 10,000 characters of text as an incident, all of it kept", () => {
    const summary = "a".repeat(10_000);
    expect(incident(summary)).toMatchObject({ kind: "incident.log", summary });
  });

  it("logs text that is only mentions as an incident summary", () => {
    expect(incident("<@U1> <@U2>")).toMatchObject({ kind: "incident.log", summary: "<@U1> <@U2>" });
  });
});
