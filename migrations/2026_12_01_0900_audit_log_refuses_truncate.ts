import { sql, type Kysely } from "kysely";

/**
 * TRUNCATE fires no row triggers, so the append-only trigger of create_core let `truncate audit_log` empty the history.
 * A statement-level trigger refuses it with the same error, even for the table's owner. Frozen once landed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger audit_log_no_truncate on audit_log`.execute(db);
}
