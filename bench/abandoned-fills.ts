/**
 * Memory of a `mooncdn serve` whose clients give up on large misses: COUNT clients at once each
 * ask for a distinct 8 MB object (cacheable, Content-Length declared), read its first 64 KiB and
 * hang up. The origin sends each body in 64 KiB writes as its socket takes them, 256 KiB every
 * 50 ms (about 1.6 s per object), so fills overlap as they would behind a real network.
 * Reports RSS (from /proc) before, at its peak (sampled every 100 ms) and 3 s after the last
 * client left, how much the origin sent, and how many of its responses the edge closed early.
 *
 *   npm run build && npx tsx bench/abandoned-fills.ts [count=150]
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { drained } from '../src/edge/fill-registry.js';

const COUNT = Number(process.argv[2] ?? 150);
const SIZE = 8 * 1024 * 1024;
const BUDGET = 64 * 1024 * 1024;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const mb = (bytes: number) => Math.round(bytes / 1e6);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The origin: counts what it sent and which responses were closed before their end.
let originSent = 0;
let closedEarly = 0;
const piece = Buffer.alloc(64 * 1024, 'f');
const origin = createServer((req, res) => {
  res.writeHead(200, { 'content-length': String(SIZE), 'cache-control': 'max-age=3600' });
  let finished = false;
  res.on('close', () => {
    if (!finished) closedEarly++;
  });
  void (async () => {
    for (let sent = 0; sent < SIZE && !res.destroyed; ) {
      for (let i = 0; i < 4 && sent < SIZE; i++, sent += piece.length) {
        originSent += piece.length;
        if (!res.write(piece)) await drained(res);
      }
      await sleep(50);
    }
    finished = !res.destroyed;
    res.end();
  })();
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originAddress = `127.0.0.1:${(origin.address() as AddressInfo).port}`;

/** A GET that hangs up once `bytes` of body arrived. */
function getAndLeave(port: number, path: string, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: 'fills.example.com' }, agent: false }, (res) => {
      let got = 0;
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= bytes) {
          req.destroy();
          resolve();
        }
      });
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
}

const bench = await startBenchServer({ MOONCDN_EDGE_CACHE_BYTES: String(BUDGET) });
try {
  const pid = bench.server.child.pid!;
  await createEndpoint(bench.client, 'fills.example.com', originAddress);
  await sleep(2000);
  const before = rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);

  const started = performance.now();
  await Promise.all(Array.from({ length: COUNT }, (_, i) => getAndLeave(bench.edgePort, `/big/${i}.bin`, 64 * 1024)));
  const clientsGoneMs = Math.round(performance.now() - started);
  await sleep(3000);
  clearInterval(sampler);
  const after = rssOf(pid);
  peak = Math.max(peak, after);
  const metrics = await (await fetch(`${bench.server.url}/metrics`)).text();
  const cacheBytes = Number(/mooncdn_edge_cache_bytes (\d+)/.exec(metrics)![1]);
  console.log(
    JSON.stringify(
      {
        benchmark: `${COUNT} clients leave distinct 8 MB misses after 64 KiB`,
        cacheBudgetMB: mb(BUDGET),
        rssBeforeMB: mb(before),
        rssPeakMB: mb(peak),
        rssAfterMB: mb(after),
        cacheHeldMB: mb(cacheBytes),
        clientsGoneMs,
        originSentMB: mb(originSent),
        originResponsesClosedEarly: closedEarly,
      },
      null,
      2,
    ),
  );
} finally {
  await bench.close();
  origin.closeAllConnections();
  origin.close();
}
