/** The traffic meter: 5-minute buckets per endpoint, flushed to a sink that may fail. */
import { describe, expect, it } from 'vitest';
import { TrafficMeter } from '../../../src/edge/traffic-meter.js';
import type { TrafficSample } from '../../../src/domain/traffic-sample.js';

const T0 = Date.parse('2026-11-22T08:00:00Z');

function meterWith(sink: (samples: TrafficSample[]) => Promise<void>) {
  let now = T0;
  const meter = new TrafficMeter(sink, () => now);
  return { meter, at: (time: number) => (now = time) };
}

describe('TrafficMeter', () => {
  it('sums bytes per endpoint and 5-minute bucket', async () => {
    const flushed: TrafficSample[][] = [];
    const { meter, at } = meterWith(async (samples) => void flushed.push(samples));
    meter.add('a', 100, 10);
    meter.add('a', 50, 0);
    meter.add('b', 7, 0);
    at(T0 + 299_999);
    meter.add('a', 1, 1);
    at(T0 + 300_000);
    meter.add('a', 1000, 0);
    meter.add('b', 0, 0);
    await meter.flush();
    expect(flushed).toHaveLength(1);
    expect([...flushed[0]!].sort((x, y) => x.endpointId.localeCompare(y.endpointId) || x.bucketStart - y.bucketStart)).toEqual([
      { endpointId: 'a', bucketStart: T0, cdnBytes: 151, originBytes: 11 },
      { endpointId: 'a', bucketStart: T0 + 300_000, cdnBytes: 1000, originBytes: 0 },
      { endpointId: 'b', bucketStart: T0, cdnBytes: 7, originBytes: 0 },
    ]);
    await meter.flush();
    expect(flushed).toHaveLength(1);
  });

  it('keeps what a failed flush could not write, and writes it once with the next', async () => {
    let fail = true;
    const written: TrafficSample[] = [];
    const { meter } = meterWith(async (samples) => {
      if (fail) throw new Error('store down');
      written.push(...samples);
    });
    meter.add('a', 100, 0);
    await meter.flush();
    meter.add('a', 5, 0);
    fail = false;
    await meter.flush();
    await meter.flush();
    expect(written).toEqual([{ endpointId: 'a', bucketStart: T0, cdnBytes: 105, originBytes: 0 }]);
  });
});
