import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
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
      expect(prompt).toMatch(/▸ Not involved in INC-1 \(press: \/press reflection\.not_involved \d+\)/);
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
