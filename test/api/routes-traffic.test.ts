/** Volume and bandwidth routes read the traffic the edge meters (here written to the store directly). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';

let harness: Harness;
let endpointId: string;
let otherId: string;
const T0 = Date.parse('2026-11-21T10:00:00Z');

beforeAll(async () => {
  harness = await startHarness();
  endpointId = await harness.createEndpoint('cdn.example.com');
  otherId = await harness.createEndpoint('img.example.com');
  await harness.store.traffic.add([
    { endpointId, bucketStart: T0, cdnBytes: 3_000_000, originBytes: 1_000_000 },
    { endpointId, bucketStart: T0 + 300_000, cdnBytes: 1_500_000, originBytes: 0 },
    { endpointId, bucketStart: T0 + 3_600_000, cdnBytes: 7_500_000, originBytes: 500_000 },
    { endpointId: otherId, bucketStart: T0, cdnBytes: 2_000_000, originBytes: 2_000_000 },
  ]);
});
afterAll(() => harness.close());

const query = (params: string) => `?${params}`;

describe('GET /endpoints/{id}/volume', () => {
  it('sums 5-minute buckets into the granularity, with zero buckets and numeric totals (MB = 10^6 bytes)', async () => {
    const response = await harness.sub('GET', `/endpoints/${endpointId}/volume${query('granularity=PerHour&startTime=2026-11-21T10:00:00Z&endTime=2026-11-21T13:00:00Z')}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      DomainName: 'cdn.example.com',
      Items: [
        { Timestamp: '2026-11-21T10:00:00.000Z', VolumeInMB: 4.5, OriginVolumeInMB: 1 },
        { Timestamp: '2026-11-21T11:00:00.000Z', VolumeInMB: 7.5, OriginVolumeInMB: 0.5 },
        { Timestamp: '2026-11-21T12:00:00.000Z', VolumeInMB: 0, OriginVolumeInMB: 0 },
      ],
      TotalCdnVolumeInMB: 12,
      TotalOriginVolumeInMB: 1.5,
    });
  });

  it('PerFiveMinutes gives one item per bucket; PerDay aligns to UTC days', async () => {
    const five = await harness.sub('GET', `/endpoints/${endpointId}/volume${query('granularity=PerFiveMinutes&startTime=2026-11-21T10:00:00Z&endTime=2026-11-21T10:15:00Z')}`);
    expect(five.body.Items.map((i: { VolumeInMB: number }) => i.VolumeInMB)).toEqual([3, 1.5, 0]);
    const day = await harness.sub('GET', `/endpoints/${endpointId}/volume${query('granularity=PerDay&startTime=2026-11-21T06:00:00Z&endTime=2026-11-22T06:00:00Z')}`);
    expect(day.body.Items).toEqual([
      { Timestamp: '2026-11-21T00:00:00.000Z', VolumeInMB: 12, OriginVolumeInMB: 1.5 },
      { Timestamp: '2026-11-22T00:00:00.000Z', VolumeInMB: 0, OriginVolumeInMB: 0 },
    ]);
  });

  it.each([
    ['granularity=PerHour&startTime=2026-11-21T12:00:00Z&endTime=2026-11-21T10:00:00Z', 'ParameterInvalid', 'after'],
    ['granularity=PerHour&startTime=2026-10-01T00:00:00Z&endTime=2026-11-21T00:00:00Z', 'ParameterInvalid', '31 days'],
    ['granularity=PerHour&startTime=2026-11-21 10:00:00&endTime=2026-11-21T12:00:00Z', 'ParameterInvalid', 'startTime'],
    ['granularity=PerHour&startTime=yesterday&endTime=2026-11-21T12:00:00Z', 'ParameterInvalid', 'startTime'],
    ['granularity=PerHour&startTime=2026-11-21T10:00:00Z&endTime=2026-02-30T00:00:00Z', 'ParameterInvalid', 'endTime'],
    ['granularity=PerWeek&startTime=2026-11-21T10:00:00Z&endTime=2026-11-21T12:00:00Z', 'ParameterInvalid', 'granularity'],
    ['startTime=2026-11-21T10:00:00Z&endTime=2026-11-21T12:00:00Z', 'ParameterMissing', 'granularity'],
    ['granularity=PerHour&endTime=2026-11-21T12:00:00Z', 'ParameterMissing', 'startTime'],
  ])('refuses %s', async (params, type, named) => {
    const response = await harness.sub('GET', `/endpoints/${endpointId}/volume?${params}`);
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo.Type).toBe(type);
    expect(response.body.ErrorInfo.Message).toContain(named);
  });
});

describe('GET /volume', () => {
  it('has every live endpoint by domain and numeric totals', async () => {
    const response = await harness.sub('GET', `/volume${query('granularity=PerDay&startTime=2026-11-21T00:00:00Z&endTime=2026-11-22T00:00:00Z')}`);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.Details).sort()).toEqual(['cdn.example.com', 'img.example.com']);
    expect(response.body.Details['img.example.com'].TotalCdnVolumeInMB).toBe(2);
    expect(response.body.TotalCdnVolumeInMB).toBe(14);
    expect(response.body.TotalOriginVolumeInMB).toBe(3.5);
  });
});

describe('GET /endpoints/{id}/bandwidth', () => {
  it('averages each 5-minute bucket in Mbps, with peak and valley', async () => {
    const response = await harness.sub('GET', `/endpoints/${endpointId}/bandwidth${query('startTime=2026-11-21T10:00:00Z&endTime=2026-11-21T10:15:00Z')}`);
    expect(response.status).toBe(200);
    // 3,000,000 bytes in 300 s = 80,000 bit/s = 0.08 Mbps.
    expect(response.body).toEqual({
      DomainName: 'cdn.example.com',
      Items: [
        { Timestamp: '2026-11-21T10:00:00.000Z', BandwidthInMbps: 0.08, OriginBandwidthInMbps: 0.026667 },
        { Timestamp: '2026-11-21T10:05:00.000Z', BandwidthInMbps: 0.04, OriginBandwidthInMbps: 0 },
        { Timestamp: '2026-11-21T10:10:00.000Z', BandwidthInMbps: 0, OriginBandwidthInMbps: 0 },
      ],
      PeakBandwidthInMbps: 0.08,
      ValleyBandwidthInMbps: 0,
      PeakOriginBandwidthInMbps: 0.026667,
      ValleyOriginBandwidthInMbps: 0,
    });
  });
});
