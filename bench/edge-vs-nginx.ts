/**
 * Edge cache hits against nginx with proxy_cache (one worker), in front of the same origin:
 * requests/s for a 4 KiB object at 32 connections, and throughput for a 1 MiB object at 8.
 * Both servers on one core, wrk on the other; A and B alternate, medians of ROUNDS runs.
 *
 *   npm run build && npx tsx bench/edge-vs-nginx.ts [seconds=10] [rounds=3]
 *
 * BENCH_FLAGS: node flags for the server instead of the shipped ones (`BENCH_FLAGS=` runs it
 * with none), e.g. to see what the heap flags cost hits.
 */
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { startNginx } from './lib/nginx.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { alternate, wrk } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const DOMAIN = 'bench.example.com';
const NGINX_PORT = 18080;

const origin = await OriginServer.start();
origin.on('/4k.bin', { body: Buffer.alloc(4096, 'a'), headers: { 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' } });
origin.on('/1m.bin', { body: Buffer.alloc(1024 * 1024, 'b'), headers: { 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' } });
const bench = await startBenchServer({}, process.env.BENCH_FLAGS !== undefined ? process.env.BENCH_FLAGS.split(' ').filter(Boolean) : undefined);
const nginx = await startNginx(origin.address, DOMAIN, NGINX_PORT, 256 * 1024 * 1024);
try {
  await createEndpoint(bench.client, DOMAIN, origin.address);
  for (const path of ['/4k.bin', '/1m.bin']) {
    for (const port of [bench.edgePort, NGINX_PORT]) {
      await edgeGet(port, DOMAIN, path);
      const hit = await edgeGet(port, DOMAIN, path);
      if (hit.headers['x-cache'] !== 'HIT') throw new Error(`${path} on port ${port} is not a hit after warming: ${String(hit.headers['x-cache'])}`);
    }
  }
  const originRequestsBefore = origin.requests.length;

  const results = [];
  for (const [name, path, connections] of [
    ['cache hit, 4 KiB object', '/4k.bin', 32],
    ['cache hit, 1 MiB object', '/1m.bin', 8],
  ] as const) {
    const run = (port: number) => () => wrk({ url: `http://127.0.0.1:${port}${path}`, headers: { Host: DOMAIN }, connections, seconds: SECONDS });
    const { a, b } = await alternate(ROUNDS, run(bench.edgePort), run(NGINX_PORT));
    if (a.non2xx || b.non2xx) throw new Error(`${name}: non-2xx answers (mooncdn ${a.non2xx}, nginx ${b.non2xx})`);
    results.push({
      benchmark: `${name}, ${connections} connections`,
      mooncdnRps: Math.round(a.requestsPerSecond),
      mooncdnMiBps: Math.round(a.bytesPerSecond / 1024 / 1024),
      mooncdnP99Ms: a.p99Ms,
      nginxRps: Math.round(b.requestsPerSecond),
      nginxMiBps: Math.round(b.bytesPerSecond / 1024 / 1024),
      nginxP99Ms: b.p99Ms,
      ratio: Number((a.requestsPerSecond / b.requestsPerSecond).toFixed(2)),
    });
  }
  if (origin.requests.length !== originRequestsBefore) throw new Error('the origin was asked during the runs: they were not all hits');
  console.log(JSON.stringify(results, null, 2));
} finally {
  await nginx.stop();
  await bench.close();
  await origin.close();
}
