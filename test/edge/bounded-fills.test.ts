/**
 * A bounded edge: a fill whose clients have all gone stops fetching and stores nothing; fills
 * in progress hold no more than their budget; an origin that sends its body too slowly is cut
 * off.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_ALL_RULES, closeAll, ControlledOrigin, patternedBody, startEdge, streamGet } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

/** Resolves when the origin's response is closed, true if before it was ended. */
function closedEarly(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
}

describe('a fill every client has left', () => {
  it('closes the origin connection and stores nothing', async () => {
    const body = patternedBody(400_000);
    const origin = await ControlledOrigin.start({ 'content-length': String(body.length) });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const clients = [streamGet(edge.httpPort, DOMAIN, '/left.bin')];
    const res = await origin.nextResponse();
    const closed = closedEarly(res);
    res.write(body.subarray(0, 50_000));
    const first = await clients[0]!;
    await first.waitForBytes(50_000);
    const second = await streamGet(edge.httpPort, DOMAIN, '/left.bin');
    await second.waitForBytes(50_000);
    expect(edge.node.heldFillBytes).toBe(body.length);

    first.abort();
    second.abort();
    expect(await closed).toBe(true);
    expect(edge.cache.count).toBe(0);
    expect(edge.node.heldFillBytes).toBe(0);

    // The next request is a fill of its own, served whole.
    const again = streamGet(edge.httpPort, DOMAIN, '/left.bin');
    (await origin.nextResponse()).end(body);
    expect((await (await again).done).equals(body)).toBe(true);
    expect(origin.requests).toHaveLength(2);
  });

  it('goes on for a preload, which has no client', async () => {
    const body = patternedBody(100_000);
    const origin = await ControlledOrigin.start({ 'content-length': String(body.length) });
    const edge = await startEdge();
    const config = await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const preload = edge.node.preload(config.endpointId, { path: '/pre.bin', query: '' });
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 10_000));
    res.end(body.subarray(10_000));
    await preload;
    const hit = await edge.get(DOMAIN, '/pre.bin');
    expect([hit.headers['x-cache'], hit.body.equals(body)]).toEqual(['HIT', true]);
  });
});

describe('the fill budget', () => {
  it('serves a fill beyond it whole but neither holds nor stores it', async () => {
    const size = 300_000;
    const bodies = [patternedBody(size), patternedBody(size).reverse()];
    const origin = await ControlledOrigin.start({ 'content-length': String(size) });
    // Room for one fill in progress, not two.
    const edge = await startEdge({ fillBytes: 400_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const one = streamGet(edge.httpPort, DOMAIN, '/one.bin');
    const res1 = await origin.nextResponse();
    res1.write(bodies[0]!.subarray(0, 1_000));
    await (await one).waitForBytes(1_000);
    const two = streamGet(edge.httpPort, DOMAIN, '/two.bin');
    const res2 = await origin.nextResponse();
    res2.write(bodies[1]!.subarray(0, 1_000));
    await (await two).waitForBytes(1_000);
    expect(edge.node.heldFillBytes).toBe(size);

    res2.end(bodies[1]!.subarray(1_000));
    res1.end(bodies[0]!.subarray(1_000));
    expect((await (await one).done).equals(bodies[0]!)).toBe(true);
    expect((await (await two).done).equals(bodies[1]!)).toBe(true);
    expect(edge.node.heldFillBytes).toBe(0);

    expect((await edge.get(DOMAIN, '/one.bin')).headers['x-cache']).toBe('HIT');
    const again = edge.get(DOMAIN, '/two.bin');
    (await origin.nextResponse()).end(bodies[1]);
    expect([(await again).headers['x-cache'], (await again).body.equals(bodies[1]!)]).toEqual(['MISS', true]);
  });

  it('stops keeping a body without a declared length once it would exceed the budget', async () => {
    const body = patternedBody(300_000);
    const origin = await ControlledOrigin.start({});
    const edge = await startEdge({ fillBytes: 100_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/chunked.bin');
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 60_000));
    const response = await client;
    await response.waitForBytes(60_000);
    expect(edge.node.heldFillBytes).toBe(60_000);
    res.write(body.subarray(60_000, 120_000));
    await response.waitForBytes(120_000);
    expect(edge.node.heldFillBytes).toBe(0);
    res.end(body.subarray(120_000));

    expect((await response.done).equals(body)).toBe(true);
    expect(edge.cache.count).toBe(0);
  });
});

describe('an origin that sends its body too slowly', () => {
  /** Writes a byte every 200 ms until the response closes. */
  function trickle(res: ServerResponse): void {
    const timer = setInterval(() => res.write('x'), 200);
    res.on('close', () => clearInterval(timer));
  }

  it('is cut off: the client loses its connection and nothing is stored', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': '1000' });
    const edge = await startEdge({ originTimeoutMs: 500, originMinBytesPerSecond: 100 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/slow.bin');
    const res = await origin.nextResponse();
    const closed = closedEarly(res);
    trickle(res);
    const response = await client;
    expect(response.status).toBe(200);
    await expect(response.done).rejects.toThrow();
    expect(await closed).toBe(true);
    expect(edge.cache.count).toBe(0);
  });

  it('fails a preload with a message naming the origin', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': '1000' });
    const edge = await startEdge({ originTimeoutMs: 500, originMinBytesPerSecond: 100 });
    const config = await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const preload = edge.node.preload(config.endpointId, { path: '/slow.bin', query: '' });
    preload.catch(() => undefined);
    const res = await origin.nextResponse();
    const closed = closedEarly(res);
    trickle(res);
    await expect(preload).rejects.toThrow(`The origin ${origin.address} sent its body too slowly`);
    expect(await closed).toBe(true);
  });

  it('leaves alone a body that is not stored: a stream of events reaches its client whole, however slow', async () => {
    const origin = await ControlledOrigin.start({ 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const edge = await startEdge({ originTimeoutMs: 500, originMinBytesPerSecond: 100 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    const client = streamGet(edge.httpPort, DOMAIN, '/events');
    const res = await origin.nextResponse();
    // Eight events a fifth of a second apart: 8 bytes over three windows of 500 ms, far under 100 B/s.
    let sent = 0;
    const timer = setInterval(() => (++sent === 8 ? (clearInterval(timer), res.end('x')) : res.write('x')), 200);
    const response = await client;
    expect(response.status).toBe(200);
    expect((await response.done).toString()).toBe('x'.repeat(8));
  });
});
