/**
 * Traffic metering: body bytes sent to clients and fetched from origins, per endpoint, in
 * 5-minute buckets, as the meter's flushes deliver them to the sink.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EdgeResponse } from '../support/edge-client.js';
import { CACHE_ALL_RULES, closeAll, patternedBody, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

afterEach(closeAll);

const A = 'a.example.com';
const B = 'b.example.com';
const FIVE_MINUTES = 300_000;

interface Totals {
  cdnBytes: number;
  originBytes: number;
}

/** Flushes the meter and sums what its sink got, per endpoint and bucket. */
async function totals(edge: TestEdge): Promise<Record<string, Totals>> {
  await edge.meter.flush();
  const result: Record<string, Totals> = {};
  for (const sample of edge.samples) {
    const key = `${sample.endpointId}@${new Date(sample.bucketStart).toISOString()}`;
    const sum = (result[key] ??= { cdnBytes: 0, originBytes: 0 });
    sum.cdnBytes += sample.cdnBytes;
    sum.originBytes += sample.originBytes;
  }
  return result;
}

/** A response's bytes are counted when the edge has finished sending it, just after the client has it all. */
async function expectTotals(edge: TestEdge, expected: Record<string, Totals>): Promise<void> {
  await vi.waitFor(async () => expect(await totals(edge)).toEqual(expected), { timeout: 2_000, interval: 20 });
}

const bodyBytes = (responses: EdgeResponse[]) => responses.reduce((sum, r) => sum + r.body.length, 0);

describe('traffic metering', () => {
  it('counts bytes to clients and from the origin per endpoint: a hit costs the origin nothing', async () => {
    const origin = await startOrigin();
    origin.on('/img.png', { body: patternedBody(10_000) });
    origin.on('/b.css', { body: patternedBody(3_000) });
    const edge = await startEdge();
    const bucket = new Date(edge.clock.now()).toISOString();
    await edge.endpoint({ customDomain: A, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.endpoint({ customDomain: B, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const toA = [
      await edge.get(A, '/img.png'),
      await edge.get(A, '/img.png'),
      await edge.get(A, '/img.png', { headers: { range: 'bytes=0-99' } }),
      await edge.get(A, '/img.png', { method: 'HEAD' }),
    ];
    for (let i = 0; i < 2; i++) await edge.get(B, '/b.css');
    await edge.get('unknown.example.com', '/img.png');

    expect(bodyBytes(toA)).toBe(20_100);
    await expectTotals(edge, {
      [`ep-${A}@${bucket}`]: { cdnBytes: 20_100, originBytes: 10_000 },
      [`ep-${B}@${bucket}`]: { cdnBytes: 6_000, originBytes: 3_000 },
    });
  });

  it('counts what the origin sent once for concurrent clients, and every client copy', async () => {
    const origin = await startOrigin();
    origin.on('/shared', { body: patternedBody(4_000), delayMs: 200 });
    const edge = await startEdge();
    const bucket = new Date(edge.clock.now()).toISOString();
    await edge.endpoint({ customDomain: A, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await Promise.all(Array.from({ length: 5 }, () => edge.get(A, '/shared')));
    expect(origin.count('/shared')).toBe(1);
    await expectTotals(edge, { [`ep-${A}@${bucket}`]: { cdnBytes: 20_000, originBytes: 4_000 } });
  });

  it('counts uncached pass-through and refusals of a served endpoint', async () => {
    const origin = await startOrigin();
    origin.on('/big', { body: patternedBody(5_000) });
    origin.on('/form', { status: 201, body: 'created' });
    const edge = await startEdge({ maxObjectBytes: 4_000 });
    const bucket = new Date(edge.clock.now()).toISOString();
    await edge.endpoint({ customDomain: A, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const responses = [await edge.get(A, '/big'), await edge.get(A, '/big'), await edge.get(A, '/form', { method: 'POST', body: 'x=1' })];
    await edge.endpoint({ customDomain: A, originAddresses: [origin.address], enabled: false });
    responses.push(await edge.get(A, '/big'));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 201, 403]);

    await expectTotals(edge, { [`ep-${A}@${bucket}`]: { cdnBytes: bodyBytes(responses), originBytes: 10_007 } });
  });

  it('puts traffic in the 5-minute bucket of when it happened', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'x'.repeat(100) });
    const edge = await startEdge();
    edge.clock.set('2026-11-22T08:04:59.000Z');
    await edge.endpoint({ customDomain: A, originAddresses: [origin.address] });

    const first = { [`ep-${A}@2026-11-22T08:00:00.000Z`]: { cdnBytes: 100, originBytes: 100 } };
    await edge.get(A, '/one');
    // Each response is counted when it ends, so wait for that before moving the clock.
    await expectTotals(edge, first);
    edge.clock.advance(1_000);
    await edge.get(A, '/two');
    const second = { ...first, [`ep-${A}@2026-11-22T08:05:00.000Z`]: { cdnBytes: 100, originBytes: 100 } };
    await expectTotals(edge, second);
    edge.clock.advance(FIVE_MINUTES);
    await edge.get(A, '/three');

    await expectTotals(edge, { ...second, [`ep-${A}@2026-11-22T08:10:00.000Z`]: { cdnBytes: 100, originBytes: 100 } });
  });
});
