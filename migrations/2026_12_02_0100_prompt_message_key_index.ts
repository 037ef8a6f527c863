import { sql, type Kysely } from "kysely";

/**
 * The prompts one message carries are found by its key whenever someone answers, puts off or declines one of them
 * (promptsCarriedBy). Without an index that read scanned every prompt ever planned: 6–7 ms at 10,000 rows against
 * 0.4 ms with one (bench/README.md, prompt-fanout), inside a transaction that holds the person's row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index reflection_prompt_message_key on reflection_prompt (message_key) where message_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index reflection_prompt_message_key`.execute(db);
}
