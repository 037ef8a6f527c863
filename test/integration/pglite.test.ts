import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief } from "../../src/interaction.ts";
import { migrateToLatest, openDatabase, type Db } from "../../src/store/database.ts";
import { plainText, type MessageView } from "../../src/views/view.ts";
import { migrations } from "../../migrations/index.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog, TEAM_CHANNEL } from "../support/fakes.ts";

// With no DATABASE_URL Debrief runs on embedded PGlite; these prove the store and migrations work there too.
// Starting PGlite (a WASM Postgres) takes seconds, so the timeouts are generous.
const SLOW = 120_000;

let dataDir: string;
const opened: Db[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "debrief-pglite-"));
});

afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
});

async function open(): Promise<Db> {
  const db = await openDatabase({ url: null, dataDir });
  opened.push(db);
  return db;
}

async function close(db: Db): Promise<void> {
  opened.splice(opened.indexOf(db), 1);
  await db.destroy();
}

function core(db: Db, scheduler = new FakeScheduler()): Debrief {
  return createDebrief({ db, deliveries: scheduler, directories: { slack: new FakeDirectory() }, files: {}, prompts: new FakeScheduler(), config: readConfig({ DEBRIEF_ADMINS: "UADMIN" }), log: silentLog, now: () => new Date() });
}

async function quickLog(debrief: Debrief, text: string, user = "UALICE"): Promise<string> {
  const outcome = await debrief.command(interaction(user), "incident", text);
  if (outcome.kind !== "reply") throw new Error("expected a reply");
  const view: MessageView = outcome.view;
  return [view.text, ...(view.sections ?? []).map((s) => (s.text === undefined ? "" : plainText(s.text))), view.context ? plainText(view.context) : ""].join("\n");
}

describe("embedded PGlite", () => {
  it("keeps its data in the data dir, applies every migration once, and keeps the audit log append-only", { timeout: SLOW }, async () => {
    const db = await open();
    expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await readdir(dataDir)).toEqual(["pglite"]);
    expect((await readdir(join(dataDir, "pglite"))).length).toBeGreaterThan(0);

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["workspace", "team", "person", "incident", "incident_person", "audit_log", "delivery"]),
    );

    await quickLog(core(db), "medication Missed evening meds");
    await expect(sql`update audit_log set action = 'x'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/);
    const rows = await db.selectFrom("audit_log").select("action").execute();
    expect(rows.map((r) => r.action)).toEqual(["incident.logged"]);
  });

  it("logs incidents through the core with references that increment, and announces them", { timeout: SLOW }, async () => {
    const db = await open();
    await migrateToLatest(db);
    const scheduler = new FakeScheduler();
    const debrief = core(db, scheduler);
    await debrief.command(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");

    const first = await quickLog(debrief, "medication low Missed evening meds at Oak House");
    expect(first).toContain("Logged INC-1");
    expect(first).toContain("Announced in the team channel");
    expect(await quickLog(debrief, "premises Boiler out at Elm Lodge")).toContain("Logged INC-2");

    // PGlite has one connection; reports arriving together still get one reference each.
    const together = await Promise.all(Array.from({ length: 10 }, (_, i) => quickLog(debrief, `other Report ${i}`, `U${i}`)));
    const refs = together.map((r) => /Logged INC-(\d+)/.exec(r)?.[1]).map(Number).sort((a, b) => a - b);
    expect(refs).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    const incidents = await db.selectFrom("incident").select(["number", "summary", "category"]).orderBy("number").execute();
    expect(incidents).toHaveLength(12);
    expect(incidents[0]).toEqual({ number: 1, summary: "Missed evening meds at Oak House", category: "medication" });
    const deliveries = await db.selectFrom("delivery").select(["id", "target_id"]).execute();
    expect(deliveries).toHaveLength(12);
    expect(deliveries.every((d) => d.target_id === TEAM_CHANNEL)).toBe(true);
    expect(scheduler.scheduled).toHaveLength(12);

    const shown = await debrief.command(interaction("UALICE"), "incident", "show INC-1");
    expect(shown.kind === "reply" && shown.view.text).toBe("INC-1 · Medication: Missed evening meds at Oak House");

    // A queued command run a second time finds its incident here too, and logs nothing more.
    const request = { ...interaction("UALICE"), requestId: "42.42.abc" };
    const once = await debrief.command(request, "incident", "fall none Slipped in the garden");
    const twice = await debrief.command(request, "incident", "fall none Slipped in the garden");
    expect(once.kind === "reply" && once.view.text).toBe("Logged INC-13: Slipped in the garden");
    expect(twice).toEqual(once);
    expect(await db.selectFrom("incident").select("number").execute()).toHaveLength(13);
  });

  it("keeps everything after closing and reopening the same directory", { timeout: SLOW }, async () => {
    const first = await open();
    await migrateToLatest(first);
    const before = core(first);
    await before.command(interaction("UADMIN", TEAM_CHANNEL, "oak-house"), "debrief", "setup");
    await before.command(interaction("UADMIN"), "debrief", "lead <@ULEAD>");
    expect(await quickLog(before, "medication Missed evening meds")).toContain("Logged INC-1");
    expect(await quickLog(before, "premises Boiler out")).toContain("Logged INC-2");
    await close(first);

    const second = await open();
    expect(await migrateToLatest(second)).toEqual([]);
    const after = core(second);
    const third = await quickLog(after, "safeguarding Allegation about night staff");
    expect(third).toContain("Logged INC-3");
    // The team and its lead survived: the restricted incident is announced and its details go to the lead.
    expect(third).toContain("The details have gone to the team lead.");

    const incidents = await second.selectFrom("incident").select(["number", "summary"]).orderBy("number").execute();
    expect(incidents).toEqual([
      { number: 1, summary: "Missed evening meds" },
      { number: 2, summary: "Boiler out" },
      { number: 3, summary: "Allegation about night staff" },
    ]);
    const lead = await second.selectFrom("delivery").select("target_id").where("dedupe_key", "like", "incident-%").where("target_kind", "=", "person").execute();
    expect(lead).toEqual([{ target_id: "ULEAD" }]);
  });
});
