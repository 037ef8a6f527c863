import pg from "pg";
import { serveBoltPeer } from "./bolt-peer.ts";

/**
 * What most hand-written bots do: a Bolt app that inserts each slash command into a Postgres table (one INSERT, one
 * round trip, committed) and then acknowledges. The table is created in the peer's own database and dropped at the end.
 */

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? "", max: 10 });
await pool.query(`create table if not exists peer_command (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  command jsonb not null
)`);

await serveBoltPeer({
  async store(command) {
    await pool.query("insert into peer_command (command) values ($1)", [JSON.stringify(command)]);
  },
  async close() {
    await pool.query("drop table if exists peer_command");
    await pool.end();
  },
});
