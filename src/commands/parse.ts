import type { Command, CommandName, Mention } from "./command.ts";
import type { PhysicalHarm } from "../domain/harm.ts";
import { findCategory } from "../domain/categories.ts";
import { DUE_MISSING } from "../domain/due.ts";
import { isPhysicalHarm } from "../domain/harm.ts";
import { parseActionRef, parseIncidentRef } from "../domain/references.ts";
import { checkTeamSetting, findTeamSetting, TEAM_SETTINGS } from "../domain/team-settings.ts";

/** Turns the text after a slash command into a Command; bad input becomes `invalid`, never an exception. */
export function parseCommand(name: CommandName, text: string): Command {
  const words = new Words(text);
  const outcome = PARSERS[name](words);
  if (outcome.kind !== "problem") return outcome;
  return { kind: "invalid", command: name, problem: outcome.problem, usage: USAGE[name], typed: text };
}

const USAGE_COLUMN = 43;

function usage(lines: readonly (readonly [form: string, meaning: string])[]): string {
  return lines.map(([form, meaning]) => `${form.padEnd(USAGE_COLUMN - 1)} ${meaning}`).join("\n");
}

/** One line per form of DESIGN.md's contract; shown with bad input and in help. */
export const USAGE: Record<CommandName, string> = {
  incident: usage([
    ["/incident", "open the incident form"],
    ["/incident [category] [harm] <summary…>", "log at once, e.g. /incident medication low Missed evening meds at Oak House"],
    ["/incident list", "list incidents"],
    ["/incident show INC-12", "show one incident"],
    ["/incident close INC-12 [lesson…]", "close an incident, with the lesson learned"],
  ]),
  action: usage([
    ["/action INC-12 @owner <due> <text…>", "add an action, e.g. /action INC-12 @sam by friday Update the risk assessment"],
    ["", 'due: "by 2026-12-01", "by friday", "in 3 days", "tomorrow 5pm", an ISO date-time'],
    ["/action list [@person]", "open actions, yours or someone else's"],
    ["/action done A-7 [note…]", "mark an action done"],
    ["/action reassign A-7 @person", "give an action to someone else"],
    ["/action extend A-7 <due>", "move an action's due date"],
    ["/action cancel A-7 <why…>", "cancel an action (the owner's manager or the team lead)"],
  ]),
  reflect: usage([
    ["/reflect", "my pending reflection prompts"],
    ["/reflect export", "my own reflections as a Markdown file (CPD evidence)"],
    ["/reflect team", "for managers: who of my reports has reflections waiting; team figures for teams of 5 or more"],
  ]),
  debrief: usage([
    ["/debrief setup", "make this channel a team space (incidents announced, escalations posted here)"],
    ["/debrief manager @person @manager", "set a reporting line"],
    ["/debrief lead @person", "set the team's safeguarding lead / senior manager"],
    ["/debrief member @person", "make someone a member of this channel's team (their home team)"],
    ["/debrief settings", "this team's settings, and which are its own"],
    ["/debrief settings <name> <value…>", "change one for this channel's team, e.g. /debrief settings working-hours Mon-Fri 07:00-19:00"],
    ["/debrief settings <name> default", "go back to the workspace's default"],
    ["/debrief help", "what Debrief can do"],
  ]),
};

/** What a parser found wrong; parseCommand turns it into an `invalid` command with usage. */
interface Problem {
  readonly kind: "problem";
  readonly problem: string;
}
type Outcome = Command | Problem;

const problem = (text: string): Problem => ({ kind: "problem", problem: text });

const PARSERS: Record<CommandName, (words: Words) => Outcome> = {
  incident: parseIncident,
  action: parseAction,
  reflect: parseReflect,
  debrief: parseDebrief,
};

// ── the typed text, split into words ──────────────────────────────────────────

interface Word {
  readonly text: string;
  readonly start: number;
}

// The core's text is plain, with each mention written `<@user-id>` by the adapter it came through (src/core/inbound.ts).
const WORD = /<@[^<>\s]+>|\S+/g;

/** The typed text as words, keeping where each starts so free text can be taken exactly as typed. */
class Words {
  private readonly words: readonly Word[];

  constructor(private readonly source: string) {
    this.words = Array.from(source.matchAll(WORD), (m) => ({ text: m[0], start: m.index }));
  }

  get count(): number {
    return this.words.length;
  }

  /** The word at `index` as typed, or "" past the end. */
  at(index: number): string {
    return this.words[index]?.text ?? "";
  }

  /** The word at `index` in lower case, for matching subcommands and keywords. */
  keyword(index: number): string {
    return this.at(index).toLowerCase();
  }

  keywordsFrom(index: number): string[] {
    return this.words.slice(index).map((w) => w.text.toLowerCase());
  }

  /** Words `from` up to `to`, joined by single spaces (a due phrase is echoed if unreadable). */
  phrase(from: number, to: number = this.count): string {
    return this.words.slice(from, to).map((w) => w.text).join(" ");
  }

  /** Everything from word `index` on, as the user typed it (trimmed); "" when nothing is left. */
  textFrom(index: number): string {
    const word = this.words[index];
    return word ? this.source.slice(word.start).trim() : "";
  }
}

const MENTION = /^<@([^<>\s]+)>$/;

function parseMention(word: string): Mention | undefined {
  const userId = MENTION.exec(word)?.[1];
  return userId === undefined ? undefined : { userId };
}

// ── problems, in the user's terms ──────────────────────────────────────────────

const QUOTE_LIMIT = 40;

/** A fragment of what the user typed, short enough to echo back in a problem. */
function quote(fragment: string): string {
  const chars = Array.from(fragment.replace(/\s+/g, " ").replace(/`/g, "'"));
  const shown = chars.length > QUOTE_LIMIT ? `${chars.slice(0, QUOTE_LIMIT - 1).join("")}…` : chars.join("");
  return `\`${shown}\``;
}

const unknownSubcommand = (command: CommandName, word: string): Problem =>
  problem(`${quote(word)} isn't something I know for /${command}.`);

/** For forms that take nothing more: says so, and shows where the extra words began. */
const extraWords = (words: Words, from: number, form: string): Problem =>
  problem(`${form}, so I wasn't sure what to do with ${quote(words.textFrom(from))}.`);

const NO_INCIDENT_REF = problem("I couldn't find the incident reference — it looks like INC-12.");
const NO_ACTION_REF = problem("I couldn't find the action reference — it looks like A-7.");
const NO_OWNER = problem("Who owns this action? Mention them, e.g. @sam.");
const NO_DUE = problem(DUE_MISSING);
const NO_ACTION_TEXT = problem("What is the action? Add a few words after the due date.");

// ── /incident ──────────────────────────────────────────────────────────────────

// Anything that is not a subcommand of the right shape, nor plainly a mistyped one, is a quick log.
function parseIncident(words: Words): Outcome {
  if (words.count === 0) return { kind: "incident.form", category: null, harm: null };
  return incidentSubcommand(words) ?? mistypedSubcommand(words) ?? quickLog(words);
}

/**
 * A show, close or list that plainly meant to be one but does not fit its shape: asked about, never logged. Logged, it
 * would be announced to the team, and what follows a reference ("show INC-3 YP-12 said…") can be sensitive.
 */
function mistypedSubcommand(words: Words): Problem | undefined {
  const first = words.keyword(0);
  if (first === "list" && words.count === 2) return extraWords(words, 1, "/incident list takes nothing more");
  if (first !== "show" && first !== "close") return undefined;
  // "show" or "close" alone is a reference forgotten, not a one-word incident.
  if (words.count === 1) return problem(`Which incident? Add its reference, e.g. /incident ${first} INC-12${first === "close" ? " <lesson>" : ""}.`);
  const second = words.at(1);
  if (parseIncidentRef(second) === undefined) {
    return meantAsIncidentRef(second) ? problem(`${quote(second)} isn't an incident reference: one looks like INC-12.`) : undefined;
  }
  return first === "show" ? extraWords(words, 2, "/incident show takes one reference") : undefined;
}

/** "INC-1.5", "inc--1", "INC-１", "INC99…": meant as a reference; "incontinence" is not. */
const meantAsIncidentRef = (word: string): boolean => /^inc(?![a-z])/i.test(word.normalize("NFKC"));

/** A subcommand only when the whole shape fits, so "close call with a car" is logged, not a failed close. */
function incidentSubcommand(words: Words): Command | undefined {
  const ref = parseIncidentRef(words.at(1));
  switch (words.keyword(0)) {
    case "list":
      return words.count === 1 ? { kind: "incident.list" } : undefined;
    case "help":
      return words.count === 1 ? { kind: "debrief.help" } : undefined;
    case "show":
      return words.count === 2 && ref !== undefined ? { kind: "incident.show", ref } : undefined;
    case "close":
      return ref !== undefined ? { kind: "incident.close", ref, lesson: words.textFrom(2) || null } : undefined;
    default:
      return undefined;
  }
}

function quickLog(words: Words): Command {
  const { category, harm, used } = leadingCategoryAndHarm(words);
  const summary = words.textFrom(used);
  if (summary === "") return { kind: "incident.form", category, harm };
  return { kind: "incident.log", category, harm, summary };
}

interface LogPrefix {
  readonly category: string | null;
  readonly harm: PhysicalHarm | null;
  readonly used: number;
}

/**
 * An optional category, then an optional harm, as the contract orders them. A harm word is only read after a
 * category: "/incident low staffing at night" or "/incident none of the doors locked" are summaries as typed.
 */
function leadingCategoryAndHarm(words: Words): LogPrefix {
  const category = findCategory(words.keyword(0));
  if (!category) return { category: null, harm: null, used: 0 };
  const second = words.keyword(1);
  const harm = isPhysicalHarm(second) ? second : null;
  return { category: category.key, harm, used: harm ? 2 : 1 };
}

// ── /action ────────────────────────────────────────────────────────────────────

function parseAction(words: Words): Outcome {
  if (words.count === 0) {
    return problem("Which incident is the action for? Start with its reference, e.g. INC-12 — or use list, done, reassign, extend or cancel.");
  }
  switch (words.keyword(0)) {
    case "list":
      return listActions(words);
    case "done":
      return completeAction(words);
    case "reassign":
      return reassignAction(words);
    case "extend":
      return extendAction(words);
    case "cancel":
      return cancelAction(words);
    default:
      return addAction(words);
  }
}

function addAction(words: Words): Outcome {
  const incidentRef = parseIncidentRef(words.at(0));
  if (incidentRef === undefined) {
    return looksLikeIncidentRef(words.at(0)) ? NO_INCIDENT_REF : unknownSubcommand("action", words.at(0));
  }
  const owner = parseMention(words.at(1));
  if (!owner) return NO_OWNER;
  const dueEnd = 2 + duePhraseLength(words.keywordsFrom(2));
  if (dueEnd === 2) return NO_DUE;
  const text = words.textFrom(dueEnd);
  if (text === "") return NO_ACTION_TEXT;
  return { kind: "action.add", incidentRef, owner, due: words.phrase(2, dueEnd), text };
}

// "12", "INC 12" or "@sam tomorrow …" were meant as an action on an incident; "frobnicate" was not.
function looksLikeIncidentRef(word: string): boolean {
  return /\d|^inc/i.test(word) || parseMention(word) !== undefined;
}

function listActions(words: Words): Outcome {
  if (words.count === 1) return { kind: "action.list", person: null };
  const person = parseMention(words.at(1));
  if (!person) return problem("Whose actions? Mention them, e.g. /action list @sam — or just /action list for yours.");
  if (words.count > 2) return extraWords(words, 2, "/action list takes one person at most");
  return { kind: "action.list", person };
}

function completeAction(words: Words): Outcome {
  const ref = parseActionRef(words.at(1));
  if (ref === undefined) return NO_ACTION_REF;
  return { kind: "action.done", ref, note: words.textFrom(2) || null };
}

function reassignAction(words: Words): Outcome {
  const ref = parseActionRef(words.at(1));
  if (ref === undefined) return NO_ACTION_REF;
  const person = parseMention(words.at(2));
  if (!person) return problem("Who should own it now? Mention them, e.g. /action reassign A-7 @sam.");
  if (words.count > 3) return extraWords(words, 3, "/action reassign takes an action and one person");
  return { kind: "action.reassign", ref, person };
}

function cancelAction(words: Words): Outcome {
  const ref = parseActionRef(words.at(1));
  if (ref === undefined) return NO_ACTION_REF;
  const reason = words.textFrom(2);
  if (reason === "") return problem("Why is it cancelled? Say so after the reference, e.g. /action cancel A-7 No longer needed: the resident has moved.");
  return { kind: "action.cancel", ref, reason };
}

function extendAction(words: Words): Outcome {
  const ref = parseActionRef(words.at(1));
  if (ref === undefined) return NO_ACTION_REF;
  const due = words.phrase(2);
  if (due === "") return NO_DUE;
  return { kind: "action.extend", ref, due };
}

// ── due phrases (kept as typed; chrono-node turns them into dates later) ──────

const WEEKDAYS = new Set(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);
// Past days are kept as typed too, so the reply can say they are past rather than that the date is missing.
const NEARBY_DAYS = new Set(["yesterday", "today", "tomorrow", "tonight"]);
const TIME_UNITS = new Set(["minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years"]);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// 26/11 or 26/11/2026, day first as in the UK.
const DAY_MONTH = /^\d{1,2}\/\d{1,2}(\/\d{2,4})?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?$/;
const CLOCK_TIME = /^(\d{1,2}(:\d{2})?(am|pm)|\d{1,2}:\d{2}|noon|midnight)$/;

/** How many of these (lower-case) words make the due phrase they start with; 0 when they don't start one. */
function duePhraseLength(words: readonly string[]): number {
  const [first, second, third] = words;
  if (first === "by") return second === undefined ? 0 : 1 + (dayAndTimeLength(words.slice(1)) || 1);
  if (first === "in") return isAmount(second) && TIME_UNITS.has(third ?? "") ? 3 : 0;
  return dayAndTimeLength(words);
}

// Any number of digits: "in 100000 years" is read, and refused as too far ahead, rather than called missing.
const isAmount = (word: string | undefined): boolean => word === "a" || word === "an" || /^\d+$/.test(word ?? "");

function dayAndTimeLength(words: readonly string[]): number {
  const [first = ""] = words;
  if (ISO_DATE_TIME.test(first)) return 1;
  const day = dayLength(words);
  return day === 0 ? 0 : day + timeLength(words.slice(day));
}

function dayLength(words: readonly string[]): number {
  const [first = "", second = ""] = words;
  if (NEARBY_DAYS.has(first) || WEEKDAYS.has(first) || ISO_DATE.test(first) || DAY_MONTH.test(first)) return 1;
  if ((first === "next" || first === "this" || first === "last") && WEEKDAYS.has(second)) return 2;
  return 0;
}

function timeLength(words: readonly string[]): number {
  const [first = "", second = ""] = words;
  if (CLOCK_TIME.test(first)) return 1;
  if (first === "at" && CLOCK_TIME.test(second)) return 2;
  return 0;
}

// ── /reflect ───────────────────────────────────────────────────────────────────

function parseReflect(words: Words): Outcome {
  if (words.count === 0) return { kind: "reflect.pending" };
  const sub = words.keyword(0);
  if (sub !== "export" && sub !== "team") return unknownSubcommand("reflect", words.at(0));
  if (words.count > 1) return extraWords(words, 1, `/reflect ${sub} takes nothing more`);
  return sub === "export" ? { kind: "reflect.export" } : { kind: "reflect.team" };
}

// ── /debrief ───────────────────────────────────────────────────────────────────

const DEBRIEF_ALONE = {
  setup: { kind: "debrief.setup" },
  settings: { kind: "debrief.settings" },
  help: { kind: "debrief.help" },
} as const satisfies Record<string, Command>;

function parseDebrief(words: Words): Outcome {
  if (words.count === 0) return DEBRIEF_ALONE.help;
  const sub = words.keyword(0);
  if (sub === "manager") return setManager(words);
  if (sub === "lead") return setLead(words);
  if (sub === "member") return setMember(words);
  if (sub === "settings" && words.count > 1) return changeSetting(words);
  if (!Object.hasOwn(DEBRIEF_ALONE, sub)) return unknownSubcommand("debrief", words.at(0));
  if (words.count > 1) return extraWords(words, 1, `/debrief ${sub} takes nothing more`);
  return DEBRIEF_ALONE[sub as keyof typeof DEBRIEF_ALONE];
}

function setManager(words: Words): Outcome {
  const person = parseMention(words.at(1));
  if (!person) return problem("Whose manager are you setting? Mention them, then their manager, e.g. /debrief manager @sam @alex.");
  const manager = parseMention(words.at(2));
  if (!manager) return problem("Who is their manager? Mention them after the person, e.g. /debrief manager @sam @alex.");
  if (words.count > 3) return extraWords(words, 3, "/debrief manager takes a person and their manager");
  return { kind: "debrief.manager", person, manager };
}

function setMember(words: Words): Outcome {
  const person = parseMention(words.at(1));
  if (!person) return problem("Who joins this channel's team? Mention them, e.g. /debrief member @sam.");
  if (words.count > 2) return extraWords(words, 2, "/debrief member takes one person");
  return { kind: "debrief.member", person };
}

function setLead(words: Words): Outcome {
  const person = parseMention(words.at(1));
  if (!person) return problem("Who is the team's lead? Mention them, e.g. /debrief lead @alex.");
  if (words.count > 2) return extraWords(words, 2, "/debrief lead takes one person");
  return { kind: "debrief.lead", person };
}

// A setting's value is a line at most: a schedule, a ladder, hours. Longer is a paste gone wrong, and is not echoed whole.
const SETTING_VALUE_LIMIT = 200;

const SETTING_KEYS = TEAM_SETTINGS.map((s) => s.key).join(", ");

function changeSetting(words: Words): Outcome {
  const setting = findTeamSetting(words.at(1));
  if (!setting) return problem(`${quote(words.at(1))} isn't a setting I know. The settings are ${SETTING_KEYS}.`);
  const example = `/debrief settings ${setting.key} ${setting.example}`;
  const value = words.textFrom(2);
  if (value === "") {
    return problem(`What should ${setting.key} be? Give a value after it, e.g. ${example} — or default to go back to the workspace's.`);
  }
  if (words.count === 3 && words.keyword(2) === "default") return { kind: "debrief.settings.change", setting: setting.name, value: null };
  if (value.length > SETTING_VALUE_LIMIT) return problem(`That is too long for ${setting.key}. It looks like this: ${example}`);
  const checked = checkTeamSetting(setting.name, value);
  if ("problem" in checked) {
    // The environment's rule names the variable; people here typed the setting's key.
    return problem(`${checked.problem.replaceAll(setting.name, setting.key)} For example: ${example}`);
  }
  return { kind: "debrief.settings.change", setting: setting.name, value: checked.stored };
}
