import { describe, expect, it } from 'vitest';
import {
  BUCKET_MS,
  bucketOf,
  bucketStarts,
  bytesToMB,
  bytesToMbps,
  GRANULARITY_MS,
  MAX_RANGE_DAYS,
  parseGranularity,
  parseRange,
  parseTime,
} from '../../../src/domain/traffic-range.js';
import { expectApiError } from '../expect-api-error.js';

const t = (iso: string) => Date.parse(iso);

describe('parseTime', () => {
  it.each([
    ['2017-05-02T06:00:00Z', '2017-05-02T06:00:00.000Z'],
    ['2017-05-02T23:59:59Z', '2017-05-02T23:59:59.000Z'],
    ['2016-02-29T00:00:00Z', '2016-02-29T00:00:00.000Z'],
    ['2017-05-02T06:00:00.5Z', '2017-05-02T06:00:00.500Z'],
    ['2017-05-02T06:00:00.123Z', '2017-05-02T06:00:00.123Z'],
  ])('reads %s', (value, iso) => {
    expect(parseTime('startTime', value)).toBe(t(iso));
  });

  it.each([
    '2017-05-02 06:00:00',
    '2017-05-02T06:00:00',
    '2017-05-02T06:00:00+08:00',
    '2017-05-02T06:00Z',
    '2017-05-02',
    '2017-5-2T6:00:00Z',
    '2017-05-02t06:00:00z',
    '2017-05-02T06:00:00.1234Z',
    '2017-02-30T00:00:00Z',
    '2017-02-29T00:00:00Z',
    '2017-13-01T00:00:00Z',
    '2017-05-02T24:00:00Z',
    '2017-05-02T06:60:00Z',
    '2017-05-02T06:00:60Z',
    ' 2017-05-02T06:00:00Z',
    '1493704800',
    'now',
  ])('refuses %j, naming the parameter and the format', (value) => {
    expectApiError(() => parseTime('endTime', value), 'ParameterInvalid', 400, `endTime "${value}"`, 'yyyy-MM-ddTHH:mm:ssZ');
  });

  it.each([[undefined], ['']])('asks for a missing value (%j)', (value) => {
    expectApiError(() => parseTime('startTime', value), 'ParameterMissing', 400, 'startTime', 'yyyy-MM-ddTHH:mm:ssZ');
  });
});

describe('parseRange', () => {
  it('reads both ends', () => {
    expect(parseRange('2017-05-02T06:00:00Z', '2017-05-02T07:00:00Z')).toEqual({ start: t('2017-05-02T06:00:00Z'), end: t('2017-05-02T07:00:00Z') });
  });

  it('takes an empty range', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:00:00Z');
    expect(range.end - range.start).toBe(0);
  });

  it('refuses a start after the end, naming both', () => {
    expectApiError(
      () => parseRange('2017-05-02T07:00:00Z', '2017-05-02T06:59:59Z'),
      'ParameterInvalid',
      400,
      'startTime 2017-05-02T07:00:00Z is after endTime 2017-05-02T06:59:59Z',
    );
  });

  it(`takes exactly ${MAX_RANGE_DAYS} days and refuses a second more`, () => {
    expect(parseRange('2017-05-01T00:00:00Z', '2017-06-01T00:00:00Z').end).toBe(t('2017-06-01T00:00:00Z'));
    expectApiError(
      () => parseRange('2017-05-01T00:00:00Z', '2017-06-01T00:00:01Z'),
      'ParameterInvalid',
      400,
      `longer than ${MAX_RANGE_DAYS} days`,
      'in parts',
    );
  });

  it('checks the start before the end', () => {
    expectApiError(() => parseRange('bad', undefined), 'ParameterInvalid', 400, 'startTime');
    expectApiError(() => parseRange('2017-05-01T00:00:00Z', undefined), 'ParameterMissing', 400, 'endTime');
  });
});

describe('parseGranularity', () => {
  it.each([
    ['PerFiveMinutes', 'PerFiveMinutes'],
    ['perhour', 'PerHour'],
    ['PERDAY', 'PerDay'],
  ])('reads %s as %s', (value, expected) => {
    expect(parseGranularity(value)).toBe(expected);
  });

  it('refuses another value, listing the allowed ones', () => {
    expectApiError(() => parseGranularity('Hourly'), 'ParameterInvalid', 400, 'granularity "Hourly"', 'PerFiveMinutes, PerHour, PerDay');
  });

  it.each([[undefined], ['']])('asks for a missing value (%j)', (value) => {
    expectApiError(() => parseGranularity(value), 'ParameterMissing', 400, 'granularity', 'PerFiveMinutes, PerHour, PerDay');
  });
});

describe('buckets', () => {
  const iso = (times: number[]) => times.map((time) => new Date(time).toISOString());

  it('has 5 minutes, an hour and a day', () => {
    expect(GRANULARITY_MS).toEqual({ PerFiveMinutes: 300_000, PerHour: 3_600_000, PerDay: 86_400_000 });
  });

  it('starts 5-minute buckets on the 5-minute mark, covering a range that starts and ends inside one', () => {
    const range = parseRange('2017-05-02T06:03:00Z', '2017-05-02T06:12:00Z');
    expect(iso(bucketStarts(range, BUCKET_MS))).toEqual(['2017-05-02T06:00:00.000Z', '2017-05-02T06:05:00.000Z', '2017-05-02T06:10:00.000Z']);
  });

  it('leaves out the bucket that starts at the end of the range', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T08:00:00Z');
    expect(iso(bucketStarts(range, GRANULARITY_MS.PerHour))).toEqual(['2017-05-02T06:00:00.000Z', '2017-05-02T07:00:00.000Z']);
    expect(bucketStarts(range, BUCKET_MS)).toHaveLength(24);
  });

  it('aligns days to UTC midnight', () => {
    const range = parseRange('2017-05-02T22:30:00Z', '2017-05-04T00:00:01Z');
    expect(iso(bucketStarts(range, GRANULARITY_MS.PerDay))).toEqual([
      '2017-05-02T00:00:00.000Z',
      '2017-05-03T00:00:00.000Z',
      '2017-05-04T00:00:00.000Z',
    ]);
  });

  it('has no bucket for an empty range', () => {
    expect(bucketStarts({ start: t('2017-05-02T06:00:00Z'), end: t('2017-05-02T06:00:00Z') }, BUCKET_MS)).toEqual([]);
  });

  it('puts an instant in the 5-minute bucket it falls in', () => {
    expect(bucketOf(t('2017-05-02T06:04:59.999Z'))).toBe(t('2017-05-02T06:00:00Z'));
    expect(bucketOf(t('2017-05-02T06:05:00Z'))).toBe(t('2017-05-02T06:05:00Z'));
  });
});

describe('units', () => {
  it('counts MB as 10^6 bytes, to the byte', () => {
    expect(bytesToMB(1_000_000)).toBe(1);
    expect(bytesToMB(1_048_576)).toBe(1.048576);
    expect(bytesToMB(1)).toBe(0.000001);
    expect(bytesToMB(0)).toBe(0);
    expect(bytesToMB(123_456_789_012)).toBe(123456.789012);
  });

  it('averages Mbps (10^6 bits a second) over the bucket', () => {
    expect(bytesToMbps(37_500_000, BUCKET_MS)).toBe(1);
    expect(bytesToMbps(450_000_000, GRANULARITY_MS.PerHour)).toBe(1);
    expect(bytesToMbps(1_000_000, BUCKET_MS)).toBe(0.026667);
    expect(bytesToMbps(0, BUCKET_MS)).toBe(0);
  });
});
