import { describe, expect, it } from 'vitest';
import { formatRequestDate, isWithinSkew, lastAcceptedAt, parseRequestDate } from '../../../src/signing/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SKEW = 15 * MIN;
const at = (iso: string) => Date.parse(iso);

function parsed(value: string) {
  const date = parseRequestDate(value);
  if (!date) throw new Error(`expected ${value} to parse`);
  return date;
}

describe('formatRequestDate', () => {
  it('writes UTC yyyy-MM-dd HH:mm:ss with a 24-hour clock, dropping milliseconds', () => {
    expect(formatRequestDate(new Date('2017-05-02T06:34:07.869Z'))).toBe('2017-05-02 06:34:07');
    expect(formatRequestDate(new Date('2026-11-22T15:42:17Z'))).toBe('2026-11-22 15:42:17');
  });
});

describe('parseRequestDate', () => {
  it('reads the contract format as UTC', () => {
    expect(parsed('2017-05-02 06:34:07').time).toBe(at('2017-05-02T06:34:07Z'));
    expect(parsed('2026-11-22 23:59:59').time).toBe(at('2026-11-22T23:59:59Z'));
  });

  it('reads fields without zero padding, as the live service sent them (CONTRACT §7)', () => {
    expect(parsed('2017-7-26 5:37:18').time).toBe(at('2017-07-26T05:37:18Z'));
    expect(parsed('2017-5-2 6:34:7').time).toBe(at('2017-05-02T06:34:07Z'));
    expect(parsed('2017-12-1 0:0:0').time).toBe(at('2017-12-01T00:00:00Z'));
    expect(parsed('2017-7-26 5:37:18').maybeTwelveHourClock).toBe(true);
  });

  it('reads RFC 3339 as the Go sample sends it, and with an offset or fraction', () => {
    expect(parsed('2026-11-22T08:00:00Z').time).toBe(at('2026-11-22T08:00:00Z'));
    expect(parsed('2026-11-22t08:00:00z').time).toBe(at('2026-11-22T08:00:00Z'));
    expect(parsed('2026-11-22T16:00:00+08:00').time).toBe(at('2026-11-22T08:00:00Z'));
    expect(parsed('2026-11-22T03:30:00-04:30').time).toBe(at('2026-11-22T08:00:00Z'));
    expect(parsed('2026-11-22T08:00:00.250Z').time).toBe(at('2026-11-22T08:00:00.250Z'));
  });

  it('flags a space-format hour of 01 to 12 as possibly from a 12-hour clock, and nothing else', () => {
    expect(parsed('2026-11-22 01:00:00').maybeTwelveHourClock).toBe(true);
    expect(parsed('2026-11-22 03:42:17').maybeTwelveHourClock).toBe(true);
    expect(parsed('2026-11-22 12:05:00').maybeTwelveHourClock).toBe(true);
    expect(parsed('2026-11-22 00:05:00').maybeTwelveHourClock).toBe(false);
    expect(parsed('2026-11-22 13:00:00').maybeTwelveHourClock).toBe(false);
    expect(parsed('2026-11-22T03:42:17Z').maybeTwelveHourClock).toBe(false);
  });

  it('accepts 29 February only in a leap year', () => {
    expect(parsed('2024-02-29 10:00:00').time).toBe(at('2024-02-29T10:00:00Z'));
    expect(parseRequestDate('2023-02-29 10:00:00')).toBeUndefined();
  });

  it.each([
    '2017-02-30 00:00:00',
    '2017-04-31 00:00:00',
    '2017-13-01 00:00:00',
    '2017-00-10 00:00:00',
    '2017-05-00 00:00:00',
    '2017-05-02 24:00:00',
    '2017-05-02 06:60:00',
    '2017-05-02 06:34:60',
    '2017-02-30T00:00:00Z',
    '2017-05-02T06:34:07+24:00',
    '2017-05-02T06:34:07+05:60',
  ])('refuses the impossible date %s', (value) => {
    expect(parseRequestDate(value)).toBeUndefined();
  });

  it.each([
    '',
    'garbage',
    'now',
    '2017-05-02',
    '17-05-02 06:34:07',
    '2017-005-02 06:34:07',
    '2017-05-02 006:34:07',
    '2017/05/02 06:34:07',
    '2017-05-02T06:34:07',
    '2017-05-02 06:34:07Z',
    ' 2017-05-02 06:34:07',
    '2017-05-02 06:34:07 ',
    'Tue, 02 May 2017 06:34:07 GMT',
    '1493706847',
  ])('refuses the malformed date %j', (value) => {
    expect(parseRequestDate(value)).toBeUndefined();
  });
});

describe('isWithinSkew', () => {
  const now = at('2026-11-22T15:42:17Z');

  it('accepts dates up to the skew either side of now, inclusive', () => {
    expect(isWithinSkew(parsed('2026-11-22 15:42:17'), now, SKEW, false)).toBe(true);
    expect(isWithinSkew(parsed('2026-11-22 15:27:17'), now, SKEW, false)).toBe(true);
    expect(isWithinSkew(parsed('2026-11-22 15:57:17'), now, SKEW, false)).toBe(true);
    expect(isWithinSkew(parsed('2026-11-22T15:57:17Z'), now, SKEW, false)).toBe(true);
  });

  it('refuses dates beyond the skew', () => {
    expect(isWithinSkew(parsed('2026-11-22 15:27:16'), now, SKEW, false)).toBe(false);
    expect(isWithinSkew(parsed('2026-11-22 15:57:18'), now, SKEW, false)).toBe(false);
    expect(isWithinSkew(parsed('2026-11-21 15:42:17'), now, SKEW, true)).toBe(false);
    expect(isWithinSkew(parsed('2026-11-22 15:42:17'), now, 0, false)).toBe(true);
    expect(isWithinSkew(parsed('2026-11-22 15:42:18'), now, 0, false)).toBe(false);
  });

  describe('the Java sample’s 12-hour clock (hh)', () => {
    it('accepts an afternoon time written 12 hours early only when the rule is on', () => {
      const java = parsed('2026-11-22 03:42:17'); // Java's `hh` for 15:42:17
      expect(isWithinSkew(java, now, SKEW, true)).toBe(true);
      expect(isWithinSkew(java, now, SKEW, false)).toBe(false);
      expect(isWithinSkew(parsed('2026-11-22 03:30:00'), now, SKEW, true)).toBe(true);
      expect(isWithinSkew(parsed('2026-11-22 03:20:00'), now, SKEW, true)).toBe(false);
    });

    it('accepts hour 12 for the midnight hour (12 hours late) only when the rule is on', () => {
      const midnight = at('2026-11-23T00:05:00Z');
      const java = parsed('2026-11-23 12:05:00'); // Java's `hh` for 00:05:00
      expect(isWithinSkew(java, midnight, SKEW, true)).toBe(true);
      expect(isWithinSkew(java, midnight, SKEW, false)).toBe(false);
      // Just before midnight, hh writes 11 for 23:55 of the same day.
      expect(isWithinSkew(parsed('2026-11-22 11:55:00'), midnight, SKEW, true)).toBe(true);
    });

    it('accepts hour 12 at noon as it is, with the rule on or off', () => {
      const noon = at('2026-11-22T12:00:00Z');
      expect(isWithinSkew(parsed('2026-11-22 12:00:00'), noon, SKEW, true)).toBe(true);
      expect(isWithinSkew(parsed('2026-11-22 12:00:00'), noon, SKEW, false)).toBe(true);
    });

    it('does not move hours Java never writes (00, 13 to 23) or RFC 3339 dates', () => {
      const noon = at('2026-11-22T12:10:00Z');
      expect(isWithinSkew(parsed('2026-11-22 00:10:00'), noon, SKEW, true)).toBe(false);
      expect(isWithinSkew(parsed('2026-11-22 15:42:17'), now - 12 * HOUR, SKEW, true)).toBe(false);
      expect(isWithinSkew(parsed('2026-11-22T03:42:17Z'), now, SKEW, true)).toBe(false);
    });

    it('moves by exactly 12 hours, not any amount', () => {
      expect(isWithinSkew(parsed('2026-11-22 03:42:17'), now + HOUR, SKEW, true)).toBe(false);
      expect(isWithinSkew(parsed('2026-11-22 03:42:17'), now + 24 * HOUR, SKEW, true)).toBe(false);
    });
  });
});

describe('lastAcceptedAt: until when a signed date can be replayed', () => {
  it('is the date plus the skew, for a date no 12-hour clock could have written or with the rule off', () => {
    for (const [value, twelve] of [['2026-11-22 15:42:17', true], ['2026-11-22T08:00:00Z', true], ['2026-11-22 08:00:00', false]] as const) {
      const date = parsed(value);
      expect(lastAcceptedAt(date, SKEW, twelve)).toBe(date.time + SKEW);
    }
  });

  it('is 12 hours later for an hour of 01 to 12 while 12-hour dates are allowed', () => {
    expect(lastAcceptedAt(parsed('2026-11-22 08:00:00'), SKEW, true)).toBe(at('2026-11-22T20:15:00Z'));
  });

  it.each([
    ['2026-11-22 08:00:00', true],
    ['2026-11-22 08:00:00', false],
    ['2026-11-22 12:30:00', true],
    ['2026-11-22 15:42:17', true],
  ] as const)('is the last instant isWithinSkew accepts %s (12-hour dates %s)', (value, twelve) => {
    const date = parsed(value);
    const last = lastAcceptedAt(date, SKEW, twelve);
    expect(isWithinSkew(date, last, SKEW, twelve)).toBe(true);
    expect(isWithinSkew(date, last + 1, SKEW, twelve)).toBe(false);
  });
});
