import { DateTime } from "luxon";

/** "Wed 25 Nov, 14:05" in the reader's zone: short enough for a busy shift, unambiguous within the week. */
export function formatWhen(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).toFormat("ccc d LLL yyyy, HH:mm");
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
