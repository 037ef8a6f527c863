import type pg from "pg";
import type { EscalationStep } from "../../src/config.ts";

/**
 * The bench's tables, filled in SQL (`insert … select generate_series`), so a million actions take seconds rather than
 * a million round trips. Everything but the actions scales with the table, so each size is the same organisation, only
 * bigger, and the work per overdue action is the same at every size:
 *
 * - 50 actions per person; 20 people per team (a lead, four managers reporting to the lead, fourteen reporting to one of
 *   the managers, one with no manager set, whose manager step goes to the lead); 10 teams per workspace.
 * - 4 actions per incident, each owned by someone in the incident's team; 1 incident in 20 restricted.
 * - Every action open. 1 in 100 (id % 100 = 0) overdue, its next step between 1 minute and 6 hours ago, at stage 1, 2
 *   or 3 in turn (owner, manager, lead on the default ladder), with the due time that stage implies; taking it moves
 *   it to a stage in the future (or off the ladder's end), so each overdue action takes exactly one step. The rest at
 *   stage 0 (the reminder), next step 1 hour to 60 days ahead, due a day after it.
 */

export const OVERDUE_EVERY = 100;
export const ACTIONS_PER_PERSON = 50;
export const PEOPLE_PER_TEAM = 20;
export const TEAMS_PER_WORKSPACE = 10;
export const ACTIONS_PER_INCIDENT = 4;

export interface Population {
  actions: number;
  overdue: number;
  people: number;
  teams: number;
  workspaces: number;
  incidents: number;
}

export function populationFor(actions: number): Population {
  const teams = Math.max(1, Math.ceil(actions / ACTIONS_PER_PERSON / PEOPLE_PER_TEAM));
  return {
    actions,
    overdue: Math.floor(actions / OVERDUE_EVERY),
    people: teams * PEOPLE_PER_TEAM,
    teams,
    workspaces: Math.ceil(teams / TEAMS_PER_WORKSPACE),
    incidents: Math.ceil(actions / ACTIONS_PER_INCIDENT),
  };
}

// Person p is in team p / 20; within it, k = p % 20: 0 leads, 1–4 manage (reporting to the lead), 19 has no manager,
// the rest report to manager 1 + k % 4. Team t (id t + 1) is in workspace t / 10.
const WS = (team: string) => `'slack:T' || ((${team}) / ${TEAMS_PER_WORKSPACE})`;
const PERSON = (team: string, k: string) => `${WS(team)} || ':U' || ((${team}) * ${PEOPLE_PER_TEAM} + (${k}))`;

/** Seconds from an action's due time to each ladder stage's step (stage 1 … n), as SQL `case` arms. */
function stageOffsets(ladder: readonly EscalationStep[]): string {
  return ladder.map((step, i) => `when ${i + 1} then ${Math.round(step.after.as("seconds"))}`).join(" ");
}

/** The overdue actions' columns, as of now(): used by the fill and to put them back between runs. */
function overdueColumns(ladder: readonly EscalationStep[], alias = ""): { stage: string; next: string; due: string } {
  const id = `${alias}id`;
  const stage = `(1 + (${id} / ${OVERDUE_EVERY}) % ${ladder.length})`;
  const next = `(now() - make_interval(mins => 1 + ((${id} * 37) % 360)::int))`;
  const due = `(${next} - make_interval(secs => (case ${stage} ${stageOffsets(ladder)} end)))`;
  return { stage, next, due };
}

export async function fill(client: pg.Client, p: Population, ladder: readonly EscalationStep[]): Promise<void> {
  const overdue = overdueColumns(ladder, "g.");
  const statements = [
    `insert into workspace (id, platform, next_incident_no, next_action_no)
       select 'slack:T' || w, 'slack', 1, 1 from generate_series(0, ${p.workspaces - 1}) w`,
    `insert into team (id, workspace_id, channel_id, name, lead_id)
       select t + 1, ${WS("t")}, 'C' || t, 'team-' || t, ${PERSON("t", "0")} from generate_series(0, ${p.teams - 1}) t`,
    `insert into person (id, workspace_id, user_id, display_name, time_zone, manager_id, team_id)
       select ${PERSON("p / 20", "p % 20")}, ${WS("p / 20")}, 'U' || p, 'Person ' || p,
              case p % 3 when 0 then null when 1 then 'Europe/London' else 'Europe/Dublin' end,
              case when p % 20 = 0 or p % 20 = 19 then null
                   when p % 20 <= 4 then ${PERSON("p / 20", "0")}
                   else ${PERSON("p / 20", "1 + (p % 20) % 4")} end,
              p / 20 + 1
         from generate_series(0, ${p.people - 1}) p`,
    `insert into incident (id, workspace_id, number, team_id, event_type, category, summary, occurred_at, reported_at,
                           physical_harm, learning_response, status, reporter_id, restricted)
       select j + 1, ${WS(`j % ${p.teams}`)}, j + 1, j % ${p.teams} + 1, 'incident', 'medication', 'Bench incident ' || j,
              now() - interval '30 days', now() - interval '30 days', 'low', 'debrief', 'open',
              ${PERSON(`j % ${p.teams}`, "5 + j % 14")}, abs(hashint4(j)) % 20 = 0
         from generate_series(0, ${p.incidents - 1}) j`,
    `insert into action (id, workspace_id, number, incident_id, title, owner_id, due_at, status, created_by, created_at,
                         next_step_at, escalation_step)
       select g.id, ${WS("g.t")}, g.id, g.j + 1, 'Bench action ' || g.id, ${PERSON("g.t", `(g.id + g.id / ${OVERDUE_EVERY}) % ${PEOPLE_PER_TEAM}`)},
              case when g.id % ${OVERDUE_EVERY} = 0 then ${overdue.due} else g.next + interval '1 day' end,
              'open', ${PERSON("g.t", "5 + g.j % 14")}, now() - interval '30 days',
              case when g.id % ${OVERDUE_EVERY} = 0 then ${overdue.next} else g.next end,
              case when g.id % ${OVERDUE_EVERY} = 0 then ${overdue.stage} else 0 end
         from (select i as id, (i - 1) / ${ACTIONS_PER_INCIDENT} as j, ((i - 1) / ${ACTIONS_PER_INCIDENT}) % ${p.teams} as t,
                      now() + interval '1 hour' + make_interval(mins => ((i::bigint * 7919) % (60 * 24 * 60))::int) as next
                 from generate_series(1, ${p.actions}) i) g`,
    `select setval('team_id_seq', ${p.teams}), setval('incident_id_seq', ${p.incidents}), setval('action_id_seq', ${p.actions})`,
    `update workspace set next_incident_no = ${p.incidents + 1}, next_action_no = ${p.actions + 1}`,
  ];
  for (const statement of statements) await client.query(statement);
}

/**
 * Puts the overdue actions back as the fill left them (due again, as of now) and forgets the steps and messages the
 * last run recorded, so the next run escalates the same work. The caller vacuums afterwards.
 */
export async function resetOverdue(client: pg.Client, ladder: readonly EscalationStep[]): Promise<void> {
  const overdue = overdueColumns(ladder);
  await client.query("begin");
  await client.query(`delete from escalation_step`);
  await client.query(`delete from delivery`);
  await client.query(
    `update action set status = 'open', due_at = ${overdue.due}, next_step_at = ${overdue.next}, escalation_step = ${overdue.stage}
      where id % ${OVERDUE_EVERY} = 0`,
  );
  await client.query("commit");
}
