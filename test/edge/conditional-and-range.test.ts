/**
 * Conditional and range requests answered from the cached copy: 304 for If-None-Match and
 * If-Modified-Since, 206 with Content-Range, 416 for a range past the end; none of them asks
 * the origin again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OriginServer } from '../support/origin-server.js';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

const DOMAIN = 'cdn.example.com';
const BODY = '0123456789abcdefghij';
const LAST_MODIFIED = 'Tue, 10 Nov 2026 08:00:00 GMT';

let origin: OriginServer;
let edge: TestEdge;

beforeEach(async () => {
  origin = await startOrigin();
  origin.on('/doc.txt', { body: BODY, headers: { etag: '"v1"', 'last-modified': LAST_MODIFIED, 'content-type': 'text/plain' } });
  edge = await startEdge();
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
  // The fill: every request below is answered from the cache.
  expect((await edge.get(DOMAIN, '/doc.txt')).headers['x-cache']).toBe('MISS');
});
afterEach(async () => {
  expect(origin.count('/doc.txt')).toBe(1);
  await closeAll();
});

describe('conditional requests on a hit', () => {
  it('do not turn a cached error into 304 (RFC 9110 §13.2.1: only a 2xx answer is conditional)', async () => {
    origin.on('/missing.txt', { status: 404, body: 'no such file', headers: { etag: '"gone"', 'cache-control': 'max-age=60' } });
    expect((await edge.get(DOMAIN, '/missing.txt')).status).toBe(404);
    const again = await edge.get(DOMAIN, '/missing.txt', { headers: { 'if-none-match': '"gone"' } });
    expect([again.status, again.text, again.headers['x-cache']]).toEqual([404, 'no such file', 'HIT']);
  });

  it('answer 304 with no body when If-None-Match names the ETag', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { headers: { 'if-none-match': '"v0", "v1"' } });
    expect([response.status, response.body.length, response.headers['etag'], response.headers['x-cache']]).toEqual([304, 0, '"v1"', 'HIT']);
    expect(response.headers['age']).toBe('0');
  });

  it('answer 200 with the body when If-None-Match names another ETag', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { headers: { 'if-none-match': '"v0"' } });
    expect([response.status, response.text]).toEqual([200, BODY]);
  });

  it('answer 304 when If-Modified-Since is at or after Last-Modified, 200 when before', async () => {
    const same = await edge.get(DOMAIN, '/doc.txt', { headers: { 'if-modified-since': LAST_MODIFIED } });
    const later = await edge.get(DOMAIN, '/doc.txt', { headers: { 'if-modified-since': 'Wed, 11 Nov 2026 08:00:00 GMT' } });
    const earlier = await edge.get(DOMAIN, '/doc.txt', { headers: { 'if-modified-since': 'Mon, 09 Nov 2026 08:00:00 GMT' } });
    expect([same.status, later.status, earlier.status]).toEqual([304, 304, 200]);
    expect(earlier.text).toBe(BODY);
  });

  it('let If-None-Match decide over If-Modified-Since', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { headers: { 'if-none-match': '"v0"', 'if-modified-since': LAST_MODIFIED } });
    expect(response.status).toBe(200);
  });
});

describe('range requests on a hit', () => {
  it('answer 206 with Content-Range for a byte range', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=2-5' } });
    expect([response.status, response.text, response.headers['content-range'], response.headers['content-length']]).toEqual([
      206,
      '2345',
      'bytes 2-5/20',
      '4',
    ]);
    expect([response.headers['x-cache'], response.headers['accept-ranges'], response.headers['content-type']]).toEqual(['HIT', 'bytes', 'text/plain']);
  });

  it('answer an open range and a suffix range', async () => {
    const open = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=15-' } });
    const suffix = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=-3' } });
    expect([open.status, open.text, open.headers['content-range']]).toEqual([206, 'fghij', 'bytes 15-19/20']);
    expect([suffix.status, suffix.text, suffix.headers['content-range']]).toEqual([206, 'hij', 'bytes 17-19/20']);
  });

  it('clip a range that runs past the end', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=18-100' } });
    expect([response.status, response.text, response.headers['content-range']]).toEqual([206, 'ij', 'bytes 18-19/20']);
  });

  it('answer 416 with the size for a range that starts past the end', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=20-' } });
    expect([response.status, response.body.length, response.headers['content-range'], response.headers['x-cache']]).toEqual([416, 0, 'bytes */20', 'HIT']);
  });

  it('answer the whole body when If-Range names another version', async () => {
    const stale = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=0-1', 'if-range': '"v0"' } });
    const current = await edge.get(DOMAIN, '/doc.txt', { headers: { range: 'bytes=0-1', 'if-range': '"v1"' } });
    expect([stale.status, stale.text]).toEqual([200, BODY]);
    expect([current.status, current.text]).toEqual([206, '01']);
  });

  it('answer HEAD with a range with the partial headers and no body', async () => {
    const response = await edge.get(DOMAIN, '/doc.txt', { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    expect([response.status, response.body.length, response.headers['content-length'], response.headers['content-range']]).toEqual([
      206,
      0,
      '10',
      'bytes 0-9/20',
    ]);
  });
});
