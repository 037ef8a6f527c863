import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { recordAudit } from "../../src/store/audit.ts";
import { migrateToLatest, openDatabase, type Db } from "../../src/store/database.ts";
import { createTestDatabase } from "../support/postgres.ts";

// Row triggers never see TRUNCATE; these prove the statement-level trigger refuses it to whoever runs it, the owner
// included, on both databases Debrief runs on.

async function truncateIsRefused(db: Db): Promise<void> {
  await recordAudit(db, { workspaceId: "slack:T1", actorId: "slack:T1:UALICE", action: "incident.logged", subject: "INC-1" });

  await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/audit_log is append-only/);
  await expect(sql`truncate audit_log restart identity cascade`.execute(db)).rejects.toThrow(/audit_log is append-only/);
  const left = await db.selectFrom("audit_log").select(["action", "subject"]).execute();
  expect(left).toEqual([{ action: "incident.logged", subject: "INC-1" }]);
}

describe("the audit log cannot be emptied", () => {
  it("by its owner on Postgres: TRUNCATE is refused and the history stays", async () => {
    const database = await createTestDatabase();
    try {
      await truncateIsRefused(database.db);
    } finally {
      await database.drop();
    }
  });

  // Starting PGlite (a WASM Postgres) takes seconds.
  it("on embedded PGlite: TRUNCATE is refused and the history stays", { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "debrief-pglite-"));
    const db = await openDatabase({ url: null, dataDir });
    try {
      await migrateToLatest(db);
      await truncateIsRefused(db);
    } finally {
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
