import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { createDebrief } from "../../src/create-debrief.ts";
import type { Debrief } from "../../src/interaction.ts";
import type { PersonProfile, PersonRef } from "../../src/ports.ts";
import { FakeDirectory, FakeScheduler, interaction, silentLog } from "../support/fakes.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";

/** A directory whose users can move: it gives the zone set last, as Slack would after someone edits their profile. */
class MovingDirectory extends FakeDirectory {
  zone: string | null = "Europe/London";

  override async profile(person: PersonRef): Promise<PersonProfile> {
    return { ...(await super.profile(person)), timeZone: this.zone };
  }
}

// Profiles are re-read from the platform when a day old; the clock moves past that instead of waiting.
const DAY_AND_AN_HOUR_MS = 25 * 60 * 60_000;

let database: TestDatabase;
let directory: MovingDirectory;
let debrief: Debrief;
let clock: number;

beforeEach(async () => {
  database = await createTestDatabase();
  directory = new MovingDirectory();
  clock = Date.now();
  debrief = createDebrief({
    db: database.db,
    deliveries: new FakeScheduler(),
    directories: { slack: directory }, files: {}, prompts: new FakeScheduler(),
    config: readConfig({}),
    log: silentLog,
    now: () => new Date(clock),
  });
});

afterEach(async () => {
  await database.drop();
});

/** Any command makes Debrief look at who sent it; listing incidents changes nothing else. */
const actAs = (user: string) => debrief.command(interaction(user), "incident", "list");
const aDayLater = () => (clock += DAY_AND_AN_HOUR_MS);

const profileChanges = () =>
  database.db
    .selectFrom("audit_log")
    .select(["workspace_id", "actor_id", "subject", "before", "after"])
    .where("action", "=", "person.profile_changed")
    .orderBy("id")
    .execute();
const zoneOf = async (userId: string) =>
  (await database.db.selectFrom("person").select("time_zone").where("id", "=", `slack:T1:${userId}`).executeTakeFirstOrThrow()).time_zone;

describe("profile changes", () => {
  it("a time zone changed on the platform is audited, old and new, when Debrief next reads the profile", async () => {
    await actAs("UALICE");
    directory.zone = "America/New_York";
    aDayLater();
    await actAs("UALICE");

    expect(await zoneOf("UALICE")).toBe("America/New_York");
    expect(await profileChanges()).toEqual([
      {
        workspace_id: "slack:T1",
        actor_id: null,
        subject: "slack:T1:UALICE",
        before: { timeZone: "Europe/London" },
        after: { timeZone: "America/New_York" },
      },
    ]);
  });

  it("a profile losing its time zone is audited too, since the team's zone then applies", async () => {
    await actAs("UALICE");
    directory.zone = null;
    aDayLater();
    await actAs("UALICE");
    expect((await profileChanges()).map((c) => [c.before, c.after])).toEqual([[{ timeZone: "Europe/London" }, { timeZone: null }]]);
  });

  it("meeting someone for the first time, a renamed profile, or a re-read that finds the same zone audits nothing", async () => {
    await actAs("UALICE");
    directory.names.set("UALICE", "Alice Smith");
    aDayLater();
    await actAs("UALICE");
    expect(await profileChanges()).toEqual([]);
    // The name is still kept up to date, just not written into a log that can never be erased.
    const alice = await database.db.selectFrom("person").select("display_name").where("user_id", "=", "UALICE").executeTakeFirstOrThrow();
    expect(alice.display_name).toBe("Alice Smith");
  });

  it("a zone change seen by several commands at once is audited once", async () => {
    await actAs("UALICE");
    directory.zone = "Asia/Kolkata";
    aDayLater();
    await Promise.all(Array.from({ length: 6 }, () => actAs("UALICE")));
    expect(await profileChanges()).toHaveLength(1);
  });
});

describe("names from the platform", () => {
  it("are stored cleaned, as typed text is: no NUL, no direction override, one line", async () => {
    directory.names.set("USAM", "Sam\u0000 \u202eevil\n Jones");
    await actAs("USAM");
    const row = await database.db.selectFrom("person").select("display_name").where("id", "=", "slack:T1:USAM").executeTakeFirstOrThrow();
    expect(row.display_name).toBe("Sam evil Jones");
  });

  it("fall back to the user id when nothing is left", async () => {
    directory.names.set("UBLANK", "\u0000\u202e ");
    await actAs("UBLANK");
    const row = await database.db.selectFrom("person").select("display_name").where("id", "=", "slack:T1:UBLANK").executeTakeFirstOrThrow();
    expect(row.display_name).toBe("UBLANK");
  });
});
