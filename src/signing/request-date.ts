/**
 * The `x-azurecdn-request-date` header: formatting for clients, parsing and skew checks for
 * the server. CONTRACT §2: `yyyy-MM-dd HH:mm:ss` (UTC), or RFC 3339 as the Go sample sends.
 * The live service itself sent its fields unpadded (`2017-7-26 5:37:18`, CONTRACT §7), so
 * one or two digits are accepted for every field but the year.
 */

const SPACE_FORMAT = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const HOUR_MS = 3_600_000;

export interface ParsedRequestDate {
  /** The instant the header names, taken as UTC. */
  readonly time: number;
  /**
   * True when the header is in the space format with an hour field of 01 to 12: the Java
   * sample formats hours with `hh`, so such a date may be 12 hours off.
   */
  readonly maybeTwelveHourClock: boolean;
}

/** Formats a date the way the contract asks clients to send it. */
export function formatRequestDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses the header; undefined when it is in neither accepted format or names no real date. */
export function parseRequestDate(value: string): ParsedRequestDate | undefined {
  const space = SPACE_FORMAT.exec(value);
  if (space) {
    const [, y, mo, d, h, mi, s] = space.map(Number) as number[];
    const time = utc(y!, mo!, d!, h!, mi!, s!);
    if (time === undefined) return undefined;
    return { time, maybeTwelveHourClock: h! >= 1 && h! <= 12 };
  }
  const rfc = RFC3339.exec(value);
  if (rfc) {
    const [y, mo, d, h, mi, s] = rfc.slice(1, 7).map(Number) as number[];
    const base = utc(y!, mo!, d!, h!, mi!, s!);
    if (base === undefined) return undefined;
    const fraction = rfc[7] ? Math.floor(Number(rfc[7]) * 1000) : 0;
    const zone = rfc[8]!;
    let offsetMs = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
      if (oh > 23 || om > 59) return undefined;
      offsetMs = sign * (oh * 60 + om) * 60_000;
    }
    return { time: base + fraction - offsetMs, maybeTwelveHourClock: false };
  }
  return undefined;
}

/**
 * Whether the date is within `skewMs` of `now`. With `allowTwelveHourClock`, a space-format
 * date with an hour of 01-12 is also accepted when moving it by 12 hours either way brings it
 * within the window (the Java sample's `hh`). That opens a second replay window 12 hours away,
 * which is why it can be turned off.
 */
export function isWithinSkew(
  date: ParsedRequestDate,
  now: number,
  skewMs: number,
  allowTwelveHourClock: boolean,
): boolean {
  if (Math.abs(date.time - now) <= skewMs) return true;
  if (!allowTwelveHourClock || !date.maybeTwelveHourClock) return false;
  return (
    Math.abs(date.time + 12 * HOUR_MS - now) <= skewMs ||
    Math.abs(date.time - 12 * HOUR_MS - now) <= skewMs
  );
}

/**
 * The last instant at which `date` passes isWithinSkew: until then a request signed with it can
 * be replayed. With 12-hour dates allowed, a date with an hour of 01 to 12 passes again 12 hours
 * after it was written.
 */
export function lastAcceptedAt(date: ParsedRequestDate, skewMs: number, allowTwelveHourClock: boolean): number {
  return date.time + skewMs + (allowTwelveHourClock && date.maybeTwelveHourClock ? 12 * HOUR_MS : 0);
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2017-02-30 over into March; a real date survives the round trip.
  const back = new Date(time);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return undefined;
  }
  return time;
}
