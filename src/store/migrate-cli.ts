import { readConfig } from "../config.ts";
import { migrateToLatest, openDatabase } from "./database.ts";

/** `npm run migrate`: applies pending migrations and exits; `npm start` does the same on its own. */
try {
  const config = readConfig(process.env);
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "the database is up to date\n");
  } finally {
    await db.destroy();
  }
} catch (err) {
  process.stderr.write(`debrief: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
