import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrateToLatest, openDatabase, type Db } from "../../src/store/database.ts";

/** The server tests create their own databases on; CI and developer machines run Postgres 15 here. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own, so test files can run in parallel; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `debrief_test_${randomBytes(6).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir: "" });
  await migrateToLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

/** Runs one statement on its own connection to the server (creating and dropping databases cannot run in a pool). */
export async function admin(statement: string, url = POSTGRES_URL): Promise<{ rows: Record<string, unknown>[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}
