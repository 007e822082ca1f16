/**
 * 1 MiB cache hits from the edge's disk tier against nginx `proxy_cache` (one worker), both
 * from files: the edge's memory tier takes objects up to 512 KiB only, so the 1 MiB object lives
 * in its disk tier (--edge-disk-bytes 1 GiB) and every hit is streamed from its file. 8
 * connections; the servers on one core, wrk on the other; A and B alternate, medians of ROUNDS.
 *
 *   npm run build && npx tsx bench/edge-disk-vs-nginx.ts [seconds=10] [rounds=3]
 *
 * BENCH_SERVER_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof --trace-gc") adds node flags
 * to the command's own for the server; with --trace-gc the collections it made are counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine } from '../test/support/server-process.js';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { startNginx } from './lib/nginx.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { alternate, wrk } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const DOMAIN = 'bench.example.com';
const NGINX_PORT = 18090;
const PATH = '/1m.bin';

const diskDir = mkdtempSync(join(tmpdir(), 'mooncdn-bench-disk-'));
const origin = await OriginServer.start();
origin.on(PATH, { body: Buffer.alloc(1024 * 1024, 'b'), headers: { 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' } });
const extraFlags = process.env.BENCH_SERVER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
const bench = await startBenchServer(
  {
    MOONCDN_EDGE_MAX_OBJECT_BYTES: String(512 * 1024),
    MOONCDN_EDGE_DISK_BYTES: String(1024 * 1024 * 1024),
    MOONCDN_EDGE_DISK_DIR: diskDir,
  },
  extraFlags.length > 0 ? [...commandLine().nodeFlags, ...extraFlags] : undefined,
);
const nginx = await startNginx(origin.address, DOMAIN, NGINX_PORT, 256 * 1024 * 1024);
try {
  await createEndpoint(bench.client, DOMAIN, origin.address);
  for (const port of [bench.edgePort, NGINX_PORT]) {
    // The edge writes the object to its disk tier in the background: ask until it is a hit.
    let cache: unknown;
    for (let i = 0; i < 50 && cache !== 'HIT'; i++) {
      cache = (await edgeGet(port, DOMAIN, PATH)).headers['x-cache'];
      if (cache !== 'HIT') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (cache !== 'HIT') throw new Error(`${PATH} on port ${port} is not a hit after warming: ${String(cache)}`);
  }
  const originRequestsBefore = origin.requests.length;
  const run = (port: number) => () => wrk({ url: `http://127.0.0.1:${port}${PATH}`, headers: { Host: DOMAIN }, connections: 8, seconds: SECONDS });
  const { a, b } = await alternate(ROUNDS, run(bench.edgePort), run(NGINX_PORT));
  if (a.non2xx || b.non2xx) throw new Error(`non-2xx answers (mooncdn ${a.non2xx}, nginx ${b.non2xx})`);
  if (origin.requests.length !== originRequestsBefore) throw new Error('the origin was asked during the runs: they were not all hits');
  console.log(
    JSON.stringify(
      {
        benchmark: 'cache hit, 1 MiB object from the disk tier, 8 connections',
        mooncdnMiBps: Math.round(a.bytesPerSecond / 1024 / 1024),
        mooncdnP99Ms: a.p99Ms,
        nginxMiBps: Math.round(b.bytesPerSecond / 1024 / 1024),
        nginxP99Ms: b.p99Ms,
        ratio: Number((a.bytesPerSecond / b.bytesPerSecond).toFixed(2)),
        ...(extraFlags.includes('--trace-gc') && {
          serverScavenges: bench.server.output().split('Scavenge').length - 1,
          serverMarkCompacts: bench.server.output().split('Mark-Compact').length - 1,
        }),
      },
      null,
      2,
    ),
  );
} finally {
  await nginx.stop();
  await bench.close();
  await origin.close();
  rmSync(diskDir, { recursive: true, force: true });
}
