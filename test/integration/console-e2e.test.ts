import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { startDebrief } from "../../src/main.ts";
import { silentLog } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";

/** The demo a new user would type: log, set the lead (the console's owner is its admin), switch person, log a restricted incident, list. */
const SCRIPT = [
  "/incident medication low Missed meds at Oak House",
  "/debrief lead @alice",
  "/as sam",
  "/incident safeguarding Allegation about the night visitor",
  "/incident list",
];

let database: TestDatabase;
let dataDir: string;
let prefix: string;

beforeEach(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "debrief-console-"));
  prefix = uniquePrefix();
});

afterEach(async () => {
  await database.drop();
  await clearPrefix(prefix);
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the console as `npm start` would, typing the lines through a pipe, and returns all it printed. */
async function runConsole(env: Record<string, string>, lines: readonly string[], log = silentLog): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));

  const running = await startDebrief(readConfig(env), { role: "all", log, terminal: { input, output, user: "alice" } });
  try {
    for (const line of lines) input.write(`${line}\n`);
    input.end();
    await running.finished;
  } finally {
    await running.stop();
  }
  return printed;
}

/** The console left open, as someone typing at it: lines are typed when the test chooses, and it waits for what is printed. */
async function openConsole(env: Record<string, string>) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
  const running = await startDebrief(readConfig(env), { role: "all", log: silentLog, terminal: { input, output, user: "alice" } });
  return {
    type: (...lines: string[]) => void input.write(lines.map((l) => `${l}\n`).join("")),
    printed: () => printed,
    /** Polls what has been printed since `from` until `pattern` appears, up to the deadline; fails naming what it waited for. */
    async waitFor(pattern: RegExp, { from = 0, within = 20_000 } = {}): Promise<RegExpExecArray> {
      const deadline = Date.now() + within;
      for (;;) {
        const found = pattern.exec(printed.slice(from));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`waited ${within} ms for ${pattern} in:\n${printed.slice(from)}`);
        await sleep(50);
      }
    },
    async close() {
      input.end();
      await running.finished;
      await running.stop();
    },
  };
}

/** The printed messages: each starts on an unindented line, and its further lines are indented under it. */
function messages(printed: string): string[] {
  const out: string[] = [];
  for (const line of printed.split("\n")) {
    if (out.length > 0 && (line.startsWith("  ") || line === "")) out[out.length - 1] += `\n${line}`;
    else out.push(line);
  }
  return out.map((m) => m.trimEnd());
}

const one = (all: string[], predicate: (m: string) => boolean): string => {
  const found = all.filter(predicate);
  if (found.length !== 1) throw new Error(`expected one matching message, found ${found.length} in:\n${all.join("\n---\n")}`);
  return found[0]!;
};

describe("the console, end to end", () => {
  it("logs, announces in the channel, and sends a restricted incident's details to the lead by DM", { timeout: 60_000 }, async () => {
    const printed = await runConsole(
      { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix, DEBRIEF_DATA_DIR: dataDir },
      SCRIPT,
    );
    const all = messages(printed);

    // What only the typist sees.
    expect(printed).toContain("(only you) This channel is now the team space for #team");
    const logged = one(all, (m) => m.startsWith("(only you) Logged INC-1"));
    expect(logged).toContain("Missed meds at Oak House");
    expect(logged).toContain("Announced in the team channel.");
    expect(printed).toContain("You are now sam.");
    expect(one(all, (m) => m.includes("is now the lead for #team"))).toMatch(/^\(only you\) Lead set for #team\n\s+@alice is now the lead/);
    const restrictedReply = one(all, (m) => m.startsWith("(only you) Logged INC-2"));
    expect(restrictedReply).toContain("by reference only");
    expect(restrictedReply).toContain("The details have gone to the team lead.");

    // The channel announcement of the first, with its summary.
    const announced = one(all, (m) => m.startsWith("[#team] Debrief: ") && m.includes("INC-1"));
    expect(announced).toContain("Missed meds at Oak House");
    expect(announced).toContain("Low harm");

    // The restricted one: reference, category and "restricted" only.
    const restricted = one(all, (m) => m.startsWith("[#team] Debrief: ") && m.includes("INC-2"));
    expect(restricted).toContain("restricted");
    expect(restricted).toContain("Safeguarding");
    expect(restricted).not.toContain("Allegation about the night visitor");
    expect(restricted).not.toContain("sam");

    // Its details, to the lead alone.
    const dm = one(all, (m) => m.startsWith("[DM → alice] Debrief: "));
    expect(dm).toContain("INC-2");
    expect(dm).toContain("Allegation about the night visitor");
    expect(dm).toContain("Reported by: @sam");
    expect(all.filter((m) => m.startsWith("[DM →"))).toHaveLength(1);

    // sam, who reported INC-2, sees both in the list.
    const list = one(all, (m) => m.includes("Open incidents in #team"));
    expect(list).toContain("INC-1 · Medication · Open — Missed meds at Oak House");
    expect(list).toContain("INC-2 · Safeguarding / allegation of abuse · Open — Allegation about the night visitor");
  });

  it("sends reflection prompts as DMs on the demo's schedule; /press asks the questions, and answering saves and thanks", { timeout: 90_000 }, async () => {
    // The README's demo, with PT1S for PT10S: prompts for the reporter and each person mentioned, a second after logging.
    const terminal = await openConsole({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DEBRIEF_DATA_DIR: dataDir,
      REFLECTION_SCHEDULE: "PT1S,PT2S",
      WORKING_HOURS: "always",
    });
    try {
      await terminal.waitFor(/\(only you\) This channel is now the team space/);
      const logged = Date.now();
      terminal.type("/incident medication low Wrong dose at tea time @sam @alex");
      await terminal.waitFor(/\(only you\) Logged INC-1/);

      // sam's prompt arrives on its own, while nobody types: a DM with a /press line beside each button.
      const dm = await terminal.waitFor(/\[DM → sam\] Debrief: [^\n]*\n(?: {2}[^\n]*\n)*/);
      expect(Date.now() - logged).toBeLessThan(15_000);
      const prompt = dm[0];
      expect(prompt).toContain("INC-1");
      expect(prompt).toContain("Gibbs");
      expect(prompt).toContain("Your answers are yours alone");
      const reflect = /▸ Reflect[^\n]*\(press: \/press reflection\.reflect (\d+)\)/.exec(prompt);
      expect(prompt).toMatch(/▸ Remind me later \(press: \/press reflection\.later \S+\)/);
      // Two steps in one message: each button says which step it is for.
      expect(prompt).toMatch(/▸ Not involved in INC-1 \(1 of 2\) \(press: \/press reflection\.not_involved \d+\)/);
      const promptId = reflect?.[1];
      expect(promptId).toBeDefined();
      await terminal.waitFor(/\[DM → alex\] Debrief: /);

      // Pressed by sam, the form's questions are asked one by one, the first of nine with how to answer.
      let mark = terminal.printed().length;
      terminal.type("/as sam", `/press reflection.reflect ${promptId}`);
      await terminal.waitFor(/Reflect on INC-1\n/, { from: mark });
      await terminal.waitFor(/1\/9 What happened\? \(optional\)\n {2}\(one line, or end a line with \\ to add another, at most 3000 characters;/, { from: mark });
      terminal.type("I gave the 5pm dose \\", "from the wrong blister pack.");
      await terminal.waitFor(/2\/9 What were you thinking and feeling\?/, { from: mark });
      terminal.type("Rushed: I was covering two floors.", "", "", "", "", "", "", "");
      await terminal.waitFor(/\(only you\) Thank you: your reflection on INC-1 is saved, for you alone\./, { from: mark });
      // The prompt message, printed again as it now reads.
      const revised = await terminal.waitFor(/\[DM → sam\] Debrief \(edited\): [^\n]*\n(?: {2}[^\n]*\n)*/, { from: mark });
      expect(revised[0]).toContain("answered, thank you");
      expect(revised[0]).not.toContain(`reflection.reflect ${promptId})`);

      // The answers are in sam's export, the two typed lines kept as one answer over two lines.
      mark = terminal.printed().length;
      terminal.type("/reflect export");
      const exported = await terminal.waitFor(/\(only you\) Your 1 reflection on 1 incident is in a Markdown file: (\S+)\.\n/, { from: mark });
      const file = await readFile(exported[1]!, "utf8");
      expect(exported[1]!.startsWith(join(dataDir, "exports"))).toBe(true);
      expect(file).toContain("I gave the 5pm dose\nfrom the wrong blister pack.");
      expect(file).toContain("Rushed: I was covering two floors.");
    } finally {
      await terminal.close();
    }
  });

  it("climbs an overdue action on a ladder of seconds: the owner's DM, then the manager's step in #team; /press escalation.done marks it done there", { timeout: 90_000 }, async () => {
    // The README's demo, with the sweep every second and the manager two seconds after the due time.
    const terminal = await openConsole({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DEBRIEF_DATA_DIR: dataDir,
      ESCALATION_LADDER: "PT0S:owner,PT2S:manager",
      SWEEP_EVERY: "PT1S",
      WORKING_HOURS: "always",
    });
    /** One printed message, from its first line to the last line indented under it. */
    const message = (first: string) => new RegExp(`${first.replace(/[[\]().?*+|]/g, "\\$&")}[^\n]*\n(?: {2}[^\n]*\n)*`);
    try {
      await terminal.waitFor(/\(only you\) This channel is now the team space/);
      terminal.type(
        "/debrief lead @lead",
        "/debrief manager @sam @mo",
        "/incident medication low Wrong dose at tea time",
        "/action INC-1 @sam in 1 minute Check the MAR chart at handover",
      );
      await terminal.waitFor(/\(only you\) Added A-1 for INC-1/);
      await terminal.waitFor(/\[DM → sam\] Debrief: You have a new action A-1/);

      // The minute passes: A-1 is due now, at the first step of its ladder, as it would be a minute after it was added.
      const mark = terminal.printed().length;
      await database.db.updateTable("action").set({ due_at: sql`now()`, next_step_at: sql`now()`, escalation_step: 1 }).where("number", "=", 1).execute();

      // The owner first, by direct message, with Done, Extend and Reassign.
      const dm = (await terminal.waitFor(message("[DM → sam] Debrief: A-1 is overdue"), { from: mark }))[0];
      expect(dm).toContain("A-1 for INC-1: Check the MAR chart at handover · overdue, was due");
      expect(dm).toMatch(/▸ Done \(press: \/press escalation\.done A-1 \S+\)/);
      expect(dm).toMatch(/▸ Extend \(press: \/press escalation\.extend A-1 \S+\)/);
      expect(dm).toMatch(/▸ Reassign \(press: \/press escalation\.reassign A-1 \S+\)/);

      // Then the manager, in the team's channel, mentioned, with Nudge owner, Extend, Reassign and Mark done.
      const step = await terminal.waitFor(message("[#team] Debrief: mo: 1 action overdue"), { from: mark });
      expect(terminal.printed().indexOf(dm, mark)).toBeLessThan(mark + step.index);
      expect(step[0]).toContain("@mo: 1 action owned by people who report to you is overdue.");
      expect(step[0]).toContain("A-1 for INC-1: Check the MAR chart at handover · owner @sam · overdue, was due");
      expect(step[0]).toMatch(/▸ Nudge owner of A-1 \(press: \/press escalation\.nudge A-1 \S+\)/);
      expect(step[0]).toMatch(/▸ Extend A-1 \(press: \/press escalation\.extend A-1 \S+\)/);
      expect(step[0]).toMatch(/▸ Reassign A-1 \(press: \/press escalation\.reassign A-1 \S+\)/);
      const done = /▸ Mark A-1 done \(press: (\/press escalation\.done A-1 \S+)\)/.exec(step[0]);
      expect(done).not.toBeNull();

      // mo presses Mark done, typing the line printed beside it: the channel's message is printed again, dealt with.
      const pressedAt = terminal.printed().length;
      terminal.type("/as mo", done![1]!);
      const revised = (await terminal.waitFor(message("[#team] Debrief (edited): mo: 1 action dealt with"), { from: pressedAt }))[0];
      expect(revised).toContain("@mo: 1 action owned by people who report to you was overdue; now dealt with or given more time.");
      expect(revised).toContain("A-1 for INC-1: Check the MAR chart at handover · owner @sam · due");
      expect(revised).toContain("— marked done by mo");
      expect(revised).not.toContain("press:");
      // The owner's direct message says so too, with nothing left to press, and the owner is told who did it.
      const ownerRevised = (await terminal.waitFor(message("[DM → sam] Debrief (edited): A-1 — marked done by mo"), { from: pressedAt }))[0];
      expect(ownerRevised).not.toContain("press:");
      await terminal.waitFor(/\[DM → sam\] Debrief: A-1 for INC-1 was marked done by @mo\./, { from: pressedAt });
      const action = await database.db.selectFrom("action").select(["status", "next_step_at"]).where("number", "=", 1).executeTakeFirstOrThrow();
      expect(action).toEqual({ status: "done", next_step_at: null });
    } finally {
      await terminal.close();
    }
  });

  it("starts its own redis-server from PATH when REDIS_URL is not set, with its data under the data dir, and stops it", { timeout: 60_000 }, async () => {
    expect(process.env.PATH?.split(":").some((dir) => existsSync(join(dir, "redis-server")))).toBe(true);
    const logLines: Record<string, unknown>[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });

    const printed = await runConsole(
      { DATABASE_URL: database.url, REDIS_PREFIX: prefix, DEBRIEF_DATA_DIR: dataDir },
      ["/incident medication Missed meds at Oak House"],
      pino({ level: "info" }, capture),
    );
    expect(printed).toContain("(only you) Logged INC-1");
    expect(messages(printed).some((m) => m.startsWith("[#team] Debrief: ") && m.includes("Missed meds at Oak House"))).toBe(true);

    const started = logLines.find((l) => l.msg === "started local redis-server");
    expect(started).toMatchObject({ dir: join(dataDir, "redis") });
    // Append-only file on, so the schedule survives a restart.
    expect((await readdir(join(dataDir, "redis"))).some((f) => f.startsWith("appendonly"))).toBe(true);

    // stop() ended the redis-server it started.
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port: Number(started!.port) });
      socket.once("connect", () => (socket.destroy(), resolve(false)));
      socket.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
