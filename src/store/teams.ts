import type { DbOrTx } from "./database.ts";

export interface Team {
  id: number;
  workspaceId: string;
  channelId: string;
  name: string;
  leadId: string | null;
  /** The team's own settings, as typed, by variable name (src/domain/team-settings.ts reads them). */
  settings: Record<string, unknown>;
}

type TeamRow = { id: number; workspace_id: string; channel_id: string; name: string; lead_id: string | null; settings: unknown };

const toTeam = (row: TeamRow): Team => ({
  id: row.id,
  workspaceId: row.workspace_id,
  channelId: row.channel_id,
  name: row.name,
  leadId: row.lead_id,
  settings: isRecord(row.settings) ? row.settings : {},
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const columns = ["id", "workspace_id", "channel_id", "name", "lead_id", "settings"] as const;

export async function findTeamByChannel(db: DbOrTx, workspaceKey: string, channelId: string): Promise<Team | undefined> {
  const row = await db
    .selectFrom("team")
    .select(columns)
    .where("workspace_id", "=", workspaceKey)
    .where("channel_id", "=", channelId)
    .executeTakeFirst();
  return row && toTeam(row);
}

export async function findTeam(db: DbOrTx, id: number): Promise<Team | undefined> {
  const row = await db.selectFrom("team").select(columns).where("id", "=", id).executeTakeFirst();
  return row && toTeam(row);
}

export async function findTeams(db: DbOrTx, ids: readonly number[]): Promise<Team[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("team").select(columns).where("id", "in", ids).execute();
  return rows.map(toTeam);
}

export async function listTeams(db: DbOrTx, workspaceKey: string): Promise<Team[]> {
  const rows = await db.selectFrom("team").select(columns).where("workspace_id", "=", workspaceKey).orderBy("id").execute();
  return rows.map(toTeam);
}

/** Makes the channel a team space; a second call for the same channel returns the existing team. */
export async function createTeam(
  db: DbOrTx,
  team: { workspaceId: string; channelId: string; name: string },
): Promise<{ team: Team; created: boolean }> {
  const inserted = await db
    .insertInto("team")
    .values({ workspace_id: team.workspaceId, channel_id: team.channelId, name: team.name })
    .onConflict((oc) => oc.columns(["workspace_id", "channel_id"]).doNothing())
    .returning(columns)
    .executeTakeFirst();
  if (inserted) return { team: toTeam(inserted), created: true };
  const existing = await findTeamByChannel(db, team.workspaceId, team.channelId);
  if (!existing) throw new Error(`team for channel ${team.channelId} vanished while being created`);
  return { team: existing, created: false };
}

export async function setLead(db: DbOrTx, teamId: number, leadId: string): Promise<void> {
  await db.updateTable("team").set({ lead_id: leadId }).where("id", "=", teamId).execute();
}

/** The teams a person leads, in the workspace they belong to. */
export async function teamsLedBy(db: DbOrTx, personId: string): Promise<Team[]> {
  const rows = await db.selectFrom("team").select(columns).where("lead_id", "=", personId).orderBy("id").execute();
  return rows.map(toTeam);
}

/** The team's settings as they are now, locked until the transaction ends, so two changes at once do not undo each other. */
export async function lockTeamSettings(tx: DbOrTx, teamId: number): Promise<Record<string, unknown> | undefined> {
  const row = await tx.selectFrom("team").select("settings").where("id", "=", teamId).forUpdate().executeTakeFirst();
  return row && (isRecord(row.settings) ? row.settings : {});
}

/** Replaces one team's settings (the jsonb column) with these. */
export async function writeTeamSettings(db: DbOrTx, teamId: number, settings: Record<string, unknown>): Promise<void> {
  await db.updateTable("team").set({ settings: JSON.stringify(settings) }).where("id", "=", teamId).execute();
}
