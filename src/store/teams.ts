import type { DbOrTx } from "./database.ts";

export interface Team {
  id: number;
  workspaceId: string;
  channelId: string;
  name: string;
  leadId: string | null;
}

type TeamRow = { id: number; workspace_id: string; channel_id: string; name: string; lead_id: string | null };

const toTeam = (row: TeamRow): Team => ({
  id: row.id,
  workspaceId: row.workspace_id,
  channelId: row.channel_id,
  name: row.name,
  leadId: row.lead_id,
});

const columns = ["id", "workspace_id", "channel_id", "name", "lead_id"] as const;

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
