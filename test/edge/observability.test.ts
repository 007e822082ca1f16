/**
 * What an operator reads about the edge: per-endpoint request and byte counters with a bounded
 * number of series, and the opt-in access log, one line per request.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

/** The value of one sample in a scrape, or undefined when the series is not there. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const line = (await metrics.exposition()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('per-endpoint metrics', () => {
  it('count each endpoint\'s results and bytes, by CustomDomain', async () => {
    const metrics = new Metrics();
    const origin = await startOrigin();
    origin.otherwise({ body: 'x'.repeat(100) });
    const edge = await startEdge({ metrics });
    await edge.endpoint({ customDomain: 'a.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get('a.example.com', '/one');
    await edge.get('a.example.com', '/one');

    await vi.waitFor(async () => expect(await sample(metrics, 'mooncdn_edge_endpoint_sent_bytes_total{endpoint="a.example.com"}')).toBe(200));
    expect(await sample(metrics, 'mooncdn_edge_endpoint_requests_total{endpoint="a.example.com",result="MISS"}')).toBe(1);
    expect(await sample(metrics, 'mooncdn_edge_endpoint_requests_total{endpoint="a.example.com",result="HIT"}')).toBe(1);
    expect(await sample(metrics, 'mooncdn_edge_endpoint_origin_bytes_total{endpoint="a.example.com"}')).toBe(100);
  });

  it('give series of their own to so many endpoints only; the rest share "other", and a removed endpoint frees its place', async () => {
    const metrics = new Metrics();
    const origin = await startOrigin();
    origin.otherwise({ body: 'hello' });
    const edge = await startEdge({ metrics, endpointSeries: 1 });
    for (const domain of ['a.example.com', 'b.example.com', 'c.example.com']) {
      await edge.endpoint({ customDomain: domain, originAddresses: [origin.address] });
      await edge.get(domain, '/');
    }
    const pass = (endpoint: string) => sample(metrics, `mooncdn_edge_endpoint_requests_total{endpoint="${endpoint}",result="PASS"}`);
    expect(await pass('a.example.com')).toBe(1);
    expect(await pass('other')).toBe(2);
    expect(await pass('b.example.com')).toBeUndefined();

    await edge.node.removeEndpoint('ep-a.example.com');
    expect(await pass('a.example.com')).toBeUndefined();
    await edge.endpoint({ customDomain: 'd.example.com', originAddresses: [origin.address] });
    await edge.get('d.example.com', '/');
    expect(await pass('d.example.com')).toBe(1);
  });
});

describe('the access log', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    return { lines, log: pino({ level: 'info' }, stream) };
  }

  it('writes one line per request: host, path, status, cache result, bytes and time', async () => {
    const { lines, log } = capture();
    const origin = await startOrigin();
    origin.otherwise({ body: 'y'.repeat(1000) });
    const edge = await startEdge({ accessLog: log });
    await edge.endpoint({ customDomain: 'log.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get('log.example.com', '/a.css?v=1');
    await edge.get('log.example.com', '/a.css?v=1');
    await edge.get('nobody.example.com', '/x');

    await vi.waitFor(() => expect(lines).toHaveLength(3));
    expect(lines.map(({ host, method, path, status, cache, complete }) => ({ host, method, path, status, cache, complete }))).toEqual([
      { host: 'log.example.com', method: 'GET', path: '/a.css?v=1', status: 200, cache: 'MISS', complete: true },
      { host: 'log.example.com', method: 'GET', path: '/a.css?v=1', status: 200, cache: 'HIT', complete: true },
      { host: 'nobody.example.com', method: 'GET', path: '/x', status: 404, cache: 'REFUSED', complete: true },
    ]);
    for (const line of lines) {
      expect(line.msg).toBe('edge request');
      expect(line.client).toBe('127.0.0.1');
      expect(line.ms).toEqual(expect.any(Number));
    }
    // The body and the headers went out for each.
    expect(lines[1]!.bytes).toBeGreaterThan(1000);
    expect(lines[2]!.bytes).toBeGreaterThan(0);
  });

  it('is off unless asked for', async () => {
    const { lines, log } = capture();
    const origin = await startOrigin();
    origin.otherwise({ body: 'z' });
    const edge = await startEdge({ log });
    await edge.endpoint({ customDomain: 'quiet.example.com', originAddresses: [origin.address] });
    expect((await edge.get('quiet.example.com', '/')).status).toBe(200);
    expect(lines.filter((line) => line.msg === 'edge request')).toEqual([]);
  });
});
