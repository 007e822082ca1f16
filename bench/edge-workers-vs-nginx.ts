/**
 * Edge cache hits across every core: `mooncdn serve --edge-workers N` against nginx with N
 * workers and proxy_cache, same origin, 4 KiB object, 64 connections kept alive, then a new
 * connection per request (`Connection: close`: what accepting costs). Nothing is pinned (the
 * servers and wrk, with N threads, share the machine's cores alike). mooncdn runs twice, with
 * node:cluster's two scheduling policies (NODE_CLUSTER_SCHED_POLICY): none (every worker
 * accepts, the default) and rr (the primary accepts and hands each connection over). The three
 * alternate; medians of ROUNDS runs. The load average at the start is printed with the result.
 *
 *   npm run build && npx tsx bench/edge-workers-vs-nginx.ts [seconds=10] [rounds=3] [workers=2]
 */
import { loadavg } from 'node:os';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { startNginx } from './lib/nginx.js';
import { createEndpoint, startBenchServer, type BenchServer } from './lib/serve.js';
import { median, wrk, type WrkResult } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const WORKERS = Number(process.argv[4] ?? 2);
const DOMAIN = 'bench.example.com';
const NGINX_PORT = 18081;
const CONNECTIONS = 64;
const PATH = '/4k.bin';

const origin = await OriginServer.start();
origin.on(PATH, { body: Buffer.alloc(4096, 'a'), headers: { 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' } });

const servers: Record<'rr' | 'none', BenchServer> = {
  rr: await startBenchServer({ NODE_CLUSTER_SCHED_POLICY: 'rr' }, undefined, { pinned: false, args: ['--edge-workers', String(WORKERS)] }),
  none: await startBenchServer({ NODE_CLUSTER_SCHED_POLICY: 'none' }, undefined, { pinned: false, args: ['--edge-workers', String(WORKERS)] }),
};
const nginx = await startNginx(origin.address, DOMAIN, NGINX_PORT, 256 * 1024 * 1024, { workers: WORKERS, pinned: false });
const load = loadavg().map((value) => Number(value.toFixed(2)));
try {
  for (const server of Object.values(servers)) await createEndpoint(server.client, DOMAIN, origin.address);
  const ports = { rr: servers.rr.edgePort, none: servers.none.edgePort, nginx: NGINX_PORT };
  // Every worker holds the object: a second of load reaches them all.
  for (const [name, port] of Object.entries(ports)) {
    await wrk({ url: `http://127.0.0.1:${port}${PATH}`, headers: { Host: DOMAIN }, connections: CONNECTIONS, seconds: 1, threads: WORKERS, pinned: false });
    const hit = await edgeGet(port, DOMAIN, PATH);
    if (hit.headers['x-cache'] !== 'HIT') throw new Error(`${name} is not serving hits after warming: ${String(hit.headers['x-cache'])}`);
  }
  const originRequestsBefore = origin.requests.length;

  const results = [];
  for (const [scenario, headers] of [
    ['kept alive', { Host: DOMAIN }],
    ['a new connection per request', { Host: DOMAIN, Connection: 'close' }],
  ] as const) {
    const runs: Record<keyof typeof ports, WrkResult[]> = { rr: [], none: [], nginx: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, port] of Object.entries(ports) as [keyof typeof ports, number][]) {
        const result = await wrk({ url: `http://127.0.0.1:${port}${PATH}`, headers, connections: CONNECTIONS, seconds: SECONDS, threads: WORKERS, pinned: false });
        if (result.non2xx) throw new Error(`${name}: ${result.non2xx} non-2xx answers`);
        runs[name].push(result);
      }
    }
    const rps = (name: keyof typeof ports) => Math.round(median(runs[name].map((r) => r.requestsPerSecond)));
    const p99 = (name: keyof typeof ports) => median(runs[name].map((r) => r.p99Ms));
    results.push({
      benchmark: `cache hit, 4 KiB object, ${CONNECTIONS} connections, ${scenario}, ${WORKERS} workers each, nothing pinned`,
      mooncdnSchedNoneRps: rps('none'),
      mooncdnSchedNoneP99Ms: p99('none'),
      mooncdnRoundRobinRps: rps('rr'),
      mooncdnRoundRobinP99Ms: p99('rr'),
      nginxRps: rps('nginx'),
      nginxP99Ms: p99('nginx'),
      ratioSchedNone: Number((rps('none') / rps('nginx')).toFixed(2)),
      ratioRoundRobin: Number((rps('rr') / rps('nginx')).toFixed(2)),
      runs: Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.map((r) => Math.round(r.requestsPerSecond))])),
    });
  }
  // A worker that had not cached the object would have asked the origin: then not all were hits.
  const originRequests = origin.requests.length - originRequestsBefore;
  if (originRequests !== 0) throw new Error(`the origin was asked ${originRequests} times during the runs: they were not all hits`);
  console.log(JSON.stringify({ loadAverageAtStart: load, loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))), results }, null, 2));
} finally {
  await nginx.stop();
  for (const server of Object.values(servers)) await server.close();
  await origin.close();
}
