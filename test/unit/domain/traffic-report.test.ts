import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/domain/traffic-range.js';
import { endpointBandwidth, endpointVolume, subscriptionVolume, type Sample } from '../../../src/domain/traffic-report.js';

const DOMAIN = 'cdn.example.com';
const at = (iso: string, cdnBytes: number, originBytes = 0): Sample => ({ bucketStart: Date.parse(iso), cdnBytes, originBytes });

describe('endpointVolume', () => {
  const samples = [
    at('2017-05-02T05:55:00Z', 9_000_000, 9_000_000), // before the range
    at('2017-05-02T06:00:00Z', 1_000_000, 200_000),
    at('2017-05-02T06:55:00Z', 2_000_000),
    at('2017-05-02T07:30:00Z', 500_000, 500_000),
    at('2017-05-02T08:00:00Z', 9_000_000, 9_000_000), // at the end: outside
  ];

  it('sums 5-minute samples into hours, and numeric totals', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T08:00:00Z');
    expect(endpointVolume(DOMAIN, samples, range, 'PerHour')).toEqual({
      DomainName: DOMAIN,
      Items: [
        { Timestamp: '2017-05-02T06:00:00.000Z', VolumeInMB: 3, OriginVolumeInMB: 0.2 },
        { Timestamp: '2017-05-02T07:00:00.000Z', VolumeInMB: 0.5, OriginVolumeInMB: 0.5 },
      ],
      TotalCdnVolumeInMB: 3.5,
      TotalOriginVolumeInMB: 0.7,
    });
  });

  it('gives one zero-filled item per 5-minute bucket where nothing was served', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:20:00Z');
    const volume = endpointVolume(DOMAIN, [at('2017-05-02T06:10:00Z', 1)], range, 'PerFiveMinutes');
    expect(volume.Items).toEqual([
      { Timestamp: '2017-05-02T06:00:00.000Z', VolumeInMB: 0, OriginVolumeInMB: 0 },
      { Timestamp: '2017-05-02T06:05:00.000Z', VolumeInMB: 0, OriginVolumeInMB: 0 },
      { Timestamp: '2017-05-02T06:10:00.000Z', VolumeInMB: 0.000001, OriginVolumeInMB: 0 },
      { Timestamp: '2017-05-02T06:15:00.000Z', VolumeInMB: 0, OriginVolumeInMB: 0 },
    ]);
    expect(volume.TotalCdnVolumeInMB).toBe(0.000001);
    expect(volume.TotalOriginVolumeInMB).toBe(0);
  });

  it('sums days on UTC days, and reports the whole bucket a range starts inside', () => {
    const range = parseRange('2017-05-02T12:00:00Z', '2017-05-03T12:00:00Z');
    const volume = endpointVolume(
      DOMAIN,
      [at('2017-05-02T01:00:00Z', 1_000_000), at('2017-05-02T23:55:00Z', 2_000_000), at('2017-05-03T00:00:00Z', 4_000_000)],
      range,
      'PerDay',
    );
    expect(volume.Items.map((item) => [item.Timestamp, item.VolumeInMB])).toEqual([
      ['2017-05-02T00:00:00.000Z', 3],
      ['2017-05-03T00:00:00.000Z', 4],
    ]);
    expect(volume.TotalCdnVolumeInMB).toBe(7);
  });

  it('sums exactly: many small samples do not drift', () => {
    const range = parseRange('2017-05-02T00:00:00Z', '2017-05-03T00:00:00Z');
    const many = Array.from({ length: 288 }, (_, i) => ({ bucketStart: range.start + i * 300_000, cdnBytes: 100_001, originBytes: 3 }));
    const volume = endpointVolume(DOMAIN, many, range, 'PerDay');
    expect(volume.Items).toEqual([{ Timestamp: '2017-05-02T00:00:00.000Z', VolumeInMB: 28.800288, OriginVolumeInMB: 0.000864 }]);
    expect(volume.TotalCdnVolumeInMB).toBe(28.800288);
  });

  it('has no items and zero totals for an empty range', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:00:00Z');
    expect(endpointVolume(DOMAIN, samples, range, 'PerHour')).toEqual({
      DomainName: DOMAIN,
      Items: [],
      TotalCdnVolumeInMB: 0,
      TotalOriginVolumeInMB: 0,
    });
  });
});

describe('subscriptionVolume', () => {
  it('keeps each endpoint under its domain and totals them as numbers', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T07:00:00Z');
    const a = endpointVolume('a.example.com', [at('2017-05-02T06:00:00Z', 1_500_000, 100_000)], range, 'PerHour');
    const b = endpointVolume('b.example.com', [at('2017-05-02T06:30:00Z', 1_700_000, 200_000)], range, 'PerHour');
    expect(subscriptionVolume({ 'a.example.com': a, 'b.example.com': b })).toEqual({
      Details: { 'a.example.com': a, 'b.example.com': b },
      TotalCdnVolumeInMB: 3.2,
      TotalOriginVolumeInMB: 0.3,
    });
  });

  it('totals zero for a subscription without endpoints', () => {
    expect(subscriptionVolume({})).toEqual({ Details: {}, TotalCdnVolumeInMB: 0, TotalOriginVolumeInMB: 0 });
  });
});

describe('endpointBandwidth', () => {
  it('averages each 5-minute bucket into Mbps, with peak and valley', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:15:00Z');
    const bandwidth = endpointBandwidth(DOMAIN, [at('2017-05-02T06:00:00Z', 37_500_000, 3_750_000), at('2017-05-02T06:10:00Z', 75_000_000)], range);
    expect(bandwidth).toEqual({
      DomainName: DOMAIN,
      Items: [
        { Timestamp: '2017-05-02T06:00:00.000Z', BandwidthInMbps: 1, OriginBandwidthInMbps: 0.1 },
        { Timestamp: '2017-05-02T06:05:00.000Z', BandwidthInMbps: 0, OriginBandwidthInMbps: 0 },
        { Timestamp: '2017-05-02T06:10:00.000Z', BandwidthInMbps: 2, OriginBandwidthInMbps: 0 },
      ],
      PeakBandwidthInMbps: 2,
      ValleyBandwidthInMbps: 0,
      PeakOriginBandwidthInMbps: 0.1,
      ValleyOriginBandwidthInMbps: 0,
    });
  });

  it('has a valley above zero when every bucket served something', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:10:00Z');
    const bandwidth = endpointBandwidth(DOMAIN, [at('2017-05-02T06:00:00Z', 75_000_000), at('2017-05-02T06:05:00Z', 37_500_000)], range);
    expect([bandwidth.PeakBandwidthInMbps, bandwidth.ValleyBandwidthInMbps]).toEqual([2, 1]);
  });

  it('ignores samples outside the range', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:05:00Z');
    const bandwidth = endpointBandwidth(DOMAIN, [at('2017-05-02T05:55:00Z', 75_000_000), at('2017-05-02T06:05:00Z', 75_000_000)], range);
    expect(bandwidth.Items).toEqual([{ Timestamp: '2017-05-02T06:00:00.000Z', BandwidthInMbps: 0, OriginBandwidthInMbps: 0 }]);
    expect(bandwidth.PeakBandwidthInMbps).toBe(0);
  });

  it('has no items and zero peaks for an empty range', () => {
    const range = parseRange('2017-05-02T06:00:00Z', '2017-05-02T06:00:00Z');
    expect(endpointBandwidth(DOMAIN, [], range)).toMatchObject({
      Items: [],
      PeakBandwidthInMbps: 0,
      ValleyBandwidthInMbps: 0,
      PeakOriginBandwidthInMbps: 0,
      ValleyOriginBandwidthInMbps: 0,
    });
  });

  it('handles a full 31-day range (8,928 buckets)', () => {
    const range = parseRange('2017-05-01T00:00:00Z', '2017-06-01T00:00:00Z');
    const bandwidth = endpointBandwidth(DOMAIN, [at('2017-05-31T23:55:00Z', 37_500_000)], range);
    expect(bandwidth.Items).toHaveLength(8928);
    expect(bandwidth.Items.at(-1)).toEqual({ Timestamp: '2017-05-31T23:55:00.000Z', BandwidthInMbps: 1, OriginBandwidthInMbps: 0 });
    expect(bandwidth.PeakBandwidthInMbps).toBe(1);
  });
});
