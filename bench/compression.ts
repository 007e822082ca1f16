/**
 * What compression costs a cache hit, and what it saves on the wire.
 *
 * 1. The hit path's added step alone (CompressedCopies.representation), in ns per call, for: an
 *    object that is not compressible (an image: one WeakMap lookup), a text object asked for
 *    without Accept-Encoding (identity with Vary, prepared once), and with gzip (the copy).
 * 2. Cache hits over HTTP through `mooncdn serve` with wrk (edge on one core, wrk on the
 *    other), 32 connections: a 4 KiB octet-stream object (never compressed: the path that must
 *    not get slower), a 10 KiB CSS file asked for in identity, gzip and br.
 *
 *   npm run build && npx tsx bench/compression.ts [seconds=5]
 */
import { performance } from 'node:perf_hooks';
import { cacheKey, type CachedObject } from '../src/edge/cache/cache-store.js';
import { MemoryCacheStore } from '../src/edge/cache/memory-store.js';
import { CompressedCopies } from '../src/edge/compressed-copies.js';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { wrk } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 5);
const DOMAIN = 'bench.example.com';
const CSS = Array.from({ length: 220 }, (_, i) => `.rule-${i} { color: #${(i * 4099).toString(16).padStart(6, '0')}; margin: ${i}px ${i % 7}px; }\n`).join('');

// ---- 1. the added step alone ----------------------------------------------------------------

function stored(path: string, contentType: string, body: Buffer): CachedObject {
  return {
    key: cacheKey('ep', path, ''),
    endpointId: 'ep',
    path,
    status: 200,
    headers: { 'content-type': contentType, etag: '"v1"', 'cache-control': 'max-age=3600', 'last-modified': new Date(0).toUTCString() },
    body,
    storedAt: 0,
    staleAt: Number.MAX_SAFE_INTEGER,
    generation: 0,
  };
}

const store = new MemoryCacheStore(64 * 1024 * 1024);
const copies = new CompressedCopies(store);
const image = stored('/a.png', 'image/png', Buffer.alloc(4096));
const text = stored('/a.css', 'text/css', Buffer.from(CSS));
store.put(image);
store.put(text);
copies.representation({ 'accept-encoding': 'gzip' }, text);
while (!store.copyOf(text, 'gzip')) await new Promise((resolve) => setImmediate(resolve));

const CALLS = 2_000_000;
function nsPerCall(request: Record<string, string>, object: CachedObject): number {
  for (let i = 0; i < 100_000; i++) copies.representation(request, object);
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) copies.representation(request, object);
  return Math.round(((performance.now() - start) * 1e6) / CALLS);
}
const micro = {
  imageNs: nsPerCall({ 'accept-encoding': 'gzip, deflate, br' }, image),
  textIdentityNs: nsPerCall({}, text),
  textGzipCopyNs: nsPerCall({ 'accept-encoding': 'gzip' }, text),
  textBrowserHeaderNs: nsPerCall({ 'accept-encoding': 'gzip, deflate, br, zstd' }, text),
};

// ---- 2. over HTTP -----------------------------------------------------------------------------

const origin = await OriginServer.start();
origin.on('/4k.bin', { body: Buffer.alloc(4096, 'a'), headers: { 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' } });
origin.on('/10k.css', { body: CSS, headers: { 'cache-control': 'max-age=3600', 'content-type': 'text/css' } });
const bench = await startBenchServer();
const results = [];
try {
  await createEndpoint(bench.client, DOMAIN, origin.address);
  await edgeGet(bench.edgePort, DOMAIN, '/4k.bin');
  await edgeGet(bench.edgePort, DOMAIN, '/10k.css');
  for (const encoding of ['gzip', 'br']) {
    for (let i = 0; i < 200; i++) {
      const hit = await edgeGet(bench.edgePort, DOMAIN, '/10k.css', { headers: { 'accept-encoding': encoding } });
      if (hit.headers['content-encoding'] === encoding) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const before = origin.requests.length;
  for (const [name, path, acceptEncoding] of [
    ['4 KiB octet-stream (never compressed)', '/4k.bin', 'gzip, deflate, br'],
    ['10 KiB CSS, identity', '/10k.css', undefined],
    ['10 KiB CSS, gzip', '/10k.css', 'gzip'],
    ['10 KiB CSS, br', '/10k.css', 'br'],
  ] as const) {
    const headers: Record<string, string> = { Host: DOMAIN, ...(acceptEncoding && { 'Accept-Encoding': acceptEncoding }) };
    const sample = await edgeGet(bench.edgePort, DOMAIN, path, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });
    const run = await wrk({ url: `http://127.0.0.1:${bench.edgePort}${path}`, headers, connections: 32, seconds: SECONDS });
    results.push({
      benchmark: name,
      contentEncoding: sample.headers['content-encoding'] ?? 'identity',
      bodyBytes: sample.body.length,
      rps: Math.round(run.requestsPerSecond),
      MiBps: Number((run.bytesPerSecond / 1024 / 1024).toFixed(1)),
      p99Ms: run.p99Ms,
    });
  }
  if (origin.requests.length !== before) throw new Error('the origin was asked during the runs: they were not all hits');
} finally {
  await bench.close();
  await origin.close();
}
console.log(JSON.stringify({ micro, http: results }, null, 2));
