import type { DbOrTx } from "./database.ts";

export interface AuditEntry {
  workspaceId: string;
  actorId: string | null;
  /** What was done, e.g. "incident.logged", "team.lead_set". */
  action: string;
  /** What it was done to, e.g. "INC-12", "team:3", a person id. */
  subject: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends to the audit log; the table refuses updates and deletes, so history cannot be rewritten. Returns the entry's
 * id, which names the messages that tell people of the change (one change, one message each).
 */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<string> {
  const row = await db.insertInto("audit_log").values(auditRow(entry)).returning("id").executeTakeFirstOrThrow();
  return String(row.id);
}

export async function recordAudits(db: DbOrTx, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto("audit_log").values(entries.map(auditRow)).execute();
}

const auditRow = (entry: AuditEntry) => ({
  workspace_id: entry.workspaceId,
  actor_id: entry.actorId,
  action: entry.action,
  subject: entry.subject,
  before: entry.before === undefined ? null : JSON.stringify(entry.before),
  after: entry.after === undefined ? null : JSON.stringify(entry.after),
});
