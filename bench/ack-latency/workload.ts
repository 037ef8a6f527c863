import { randomBytes } from "node:crypto";
import { signatureHeaders, slashCommand } from "../../test/support/slack-requests.ts";

/**
 * What the bench sends: `/incident <category> <harm> <summary>` slash commands shaped like Slack's (the fields of
 * test/fixtures/slack/slash-command.json), signed as Slack signs them, from people in many team channels.
 */

// Debrief paces posts to one channel at ~1/s (Slack's limit), so 200 reports a second into a single channel would
// queue announcements for an hour. A large care group in one workspace (one team channel per home) spreads them:
// at 200/s over 250 channels each channel gets 0.8 announcements a second, which the pacing keeps up with.
export const TEAM_CHANNELS = 250;
export const PEOPLE_PER_CHANNEL = 2;

export interface Person {
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
}

/** Person p works in channel p % TEAM_CHANNELS, so consecutive requests go round the channels evenly. */
export function workforce(): Person[] {
  const people: Person[] = [];
  for (let p = 0; p < TEAM_CHANNELS * PEOPLE_PER_CHANNEL; p++) {
    const home = p % TEAM_CHANNELS;
    people.push({
      userId: `UBENCH${String(p).padStart(4, "0")}`,
      userName: `staff.${p}`,
      channelId: `CBENCH${String(home).padStart(4, "0")}`,
      channelName: `home-${home}-incidents`,
    });
  }
  return people;
}

/** The first person of each channel, who sets it up as the team space. */
export const channelLeads = (people: Person[]): Person[] => people.slice(0, TEAM_CHANNELS);

// Harm none or low only: those incidents are not restricted, so their announcement carries the summary, and the
// summary carries the request's id, which lets the fake Slack tell which request each announcement belongs to.
const REPORTS = [
  "medication low Missed evening meds at the house, GP advice taken",
  "injury none Slipped on the wet kitchen floor, no injury",
  "premises none Boiler failed overnight, heating back by 9am",
  "staffing low Night shift ran one short after a late sickness call",
  "behaviour low Verbal aggression at handover, calmed with support",
  "data none Handover sheet left in the lounge, found and shredded",
  "missing none Young person back forty minutes after curfew",
  "health low Temperature at breakfast, 111 called and advice followed",
] as const;

/** The id a request's reply and announcement are matched by: `<tag>.<n>`, placed in the summary and response_url. */
export const requestId = (tag: string, n: number): string => `${tag}.${n}`;
export const REQUEST_ID_IN_TEXT = /\[([a-z0-9-]+\.\d+)\]/;

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export class SlashCommands {
  // The fixture's fields, read once: the load generator builds thousands of requests a second from it.
  private readonly template = slashCommand().payload as Record<string, string>;
  private readonly run = randomBytes(4).toString("hex");
  private triggers = 0;

  constructor(
    private readonly signingSecret: string,
    private readonly people: Person[],
  ) {}

  /** Request `n` of a phase: a quick log by person n (round the people), its reply sent to `responseUrl`. */
  incident(tag: string, n: number, responseUrl: string): SignedRequest {
    const person = this.people[n % this.people.length]!;
    const report = REPORTS[n % REPORTS.length]!;
    return this.signed(person, "/incident", `${report} [${requestId(tag, n)}]`, responseUrl);
  }

  setup(person: Person, responseUrl: string): SignedRequest {
    return this.signed(person, "/debrief", "setup", responseUrl);
  }

  private signed(person: Person, command: string, text: string, responseUrl: string): SignedRequest {
    const body = new URLSearchParams({
      ...this.template,
      command,
      text,
      user_id: person.userId,
      user_name: person.userName,
      channel_id: person.channelId,
      channel_name: person.channelName,
      response_url: responseUrl,
      // Unique per request, as Slack's are; the shape follows the fixture's.
      trigger_id: `${Date.now()}.${this.run}.${(++this.triggers).toString(16).padStart(8, "0")}`,
    }).toString();
    // A fresh timestamp and signature per request: Bolt refuses requests older than five minutes.
    const headers = { "content-type": "application/x-www-form-urlencoded", ...signatureHeaders(body, { secret: this.signingSecret }) };
    return { body, headers };
  }
}
