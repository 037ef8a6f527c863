import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { PassThrough, Readable } from "node:stream";
import { Migrator, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { startDebrief } from "../../src/main.ts";
import { migrateToLatest, openDatabase, type Db } from "../../src/store/database.ts";
import { migrations } from "../../migrations/index.ts";
import { silentLog } from "../support/fakes.ts";
import { admin, POSTGRES_URL } from "../support/postgres.ts";
import { clearPrefix, REDIS_URL, uniquePrefix } from "../support/redis.ts";

// The README's "Running under a least-privilege database role", followed as written: the owner migrates, the app runs
// as a role of its own with the README's grants, and that role can read and append the audit log but never rewrite it.

const README = new URL("../../README.md", import.meta.url);
const SECTION = "## Running under a least-privilege database role";

/** The README's statements for the app's role, for a role named `role`. */
async function readmeGrants(role: string): Promise<string> {
  const section = (await readFile(README, "utf8")).split(SECTION)[1]?.split("\n## ")[0];
  const block = section && /```sql\n([\s\S]*?)\n\s*```/.exec(section)?.[1];
  if (!block) throw new Error(`README.md has no sql block under "${SECTION}"`);
  return block.replaceAll(/\bdebrief_app\b/g, role);
}

let id: string;
let prefix: string;
const opened: Db[] = [];

// Roles belong to the whole server, not to a database: each test names its own so files can run in parallel.
const appRole = () => `debrief_app_${id}`;
const databaseName = () => `debrief_test_${id}`;

function urlAs(user: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${databaseName()}`;
  url.username = user;
  return url.toString();
}

async function connectAs(user: string): Promise<Db> {
  const db = await openDatabase({ url: urlAs(user), dataDir: "" });
  opened.push(db);
  return db;
}

beforeEach(async () => {
  id = randomBytes(6).toString("hex");
  prefix = uniquePrefix();
  await admin(`create database ${databaseName()}`);
});

afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
  await admin(`drop database if exists ${databaseName()} with (force)`);
  await admin(`drop role if exists ${appRole()}`);
  await clearPrefix(prefix);
});

/** `npm start` in the terminal as the app's role, typing `lines`; what the console printed. */
async function startAsAppRoleAndType(lines: readonly string[]): Promise<string> {
  const config = readConfig({ DATABASE_URL: urlAs(appRole()), REDIS_URL, REDIS_PREFIX: prefix });
  const output = new PassThrough();
  const printed: Buffer[] = [];
  output.on("data", (chunk: Buffer) => printed.push(chunk));
  const input = Readable.from(lines.map((line) => `${line}\n`));
  const running = await startDebrief(config, { role: "all", log: silentLog, terminal: { input, output, user: "alice" } });
  await running.finished.finally(() => running.stop());
  return Buffer.concat(printed).toString("utf8");
}

const OWNER = new URL(POSTGRES_URL).username;

describe("running under a least-privilege database role", () => {
  it("starts, logs and closes incidents, and cannot truncate, delete, update, drop or switch off the audit log", { timeout: 60_000 }, async () => {
    const owner = await connectAs(OWNER);
    await migrateToLatest(owner);
    await admin(await readmeGrants(appRole()), urlAs(OWNER));

    const printed = await startAsAppRoleAndType([
      "/incident medication low Missed evening meds at Oak House",
      "/incident close INC-1 Check the MAR chart at every handover",
    ]);
    expect(printed).toContain("Logged INC-1");
    expect(printed).toContain("INC-1 is closed");
    // The announcements were sent, so the delivery worker could mark its rows too.
    expect(printed).toContain("[#team] Debrief: INC-1 closed");
    const history = await owner.selectFrom("audit_log").select(["action", "subject"]).orderBy("id").execute();
    expect(history).toEqual(
      expect.arrayContaining([
        { action: "incident.logged", subject: "INC-1" },
        { action: "incident.closed", subject: "INC-1" },
      ]),
    );

    const app = await connectAs(appRole());
    for (const [statement, refusal] of [
      ["truncate audit_log", "permission denied for table audit_log"],
      ["delete from audit_log", "permission denied for table audit_log"],
      ["update audit_log set action = 'incident.forgotten'", "permission denied for table audit_log"],
      ["drop table audit_log", "must be owner of table audit_log"],
      ["alter table audit_log disable trigger all", "must be owner of table audit_log"],
    ] as const) {
      await expect(sql.raw(statement).execute(app), statement).rejects.toThrow(refusal);
    }
    expect(await app.selectFrom("audit_log").select(["action", "subject"]).orderBy("id").execute()).toEqual(history);
  });

  it("will not start while a migration is pending, says to migrate as the owner, and changes nothing", async () => {
    const names = Object.keys(migrations);
    const owner = await connectAs(OWNER);
    const upToLast = new Migrator({ db: owner, provider: { getMigrations: async () => migrations } });
    expect((await upToLast.migrateTo(names.at(-2)!)).error).toBeUndefined();
    await admin(await readmeGrants(appRole()), urlAs(OWNER));

    await expect(startAsAppRoleAndType([])).rejects.toThrow(
      new RegExp(`database migration ${names.at(-1)} failed: (permission denied|must be owner) .*Run \`npm run migrate\` with the owner's DATABASE_URL`),
    );
    const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(owner);
    expect(ran.rows.map((r) => r.name)).toEqual(names.slice(0, -1));

    // Once the owner has migrated, the same role starts: finding nothing pending needs no more than reading.
    await migrateToLatest(owner);
    expect(await migrateToLatest(await connectAs(appRole()))).toEqual([]);
  });
});
