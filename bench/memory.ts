/**
 * Memory of a `mooncdn serve` (RSS from /proc): idle after start, and with the edge cache
 * filled past its byte budget (the default 256 MiB) with OBJECT_KIB objects, so LRU eviction
 * runs. Reports RSS against the targets (idle < 120 MB; full < budget + 100 MB).
 *
 *   npm run build && npx tsx bench/memory.ts [objectKiB=64]
 */
import { readFileSync } from 'node:fs';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';

const OBJECT_KIB = Number(process.argv[2] ?? 64);
const BUDGET = 256 * 1024 * 1024;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const mb = (bytes: number) => Math.round(bytes / 1e6);

const origin = await OriginServer.start();
origin.otherwise({ body: Buffer.alloc(OBJECT_KIB * 1024, 'm'), headers: { 'cache-control': 'max-age=3600' } });
const bench = await startBenchServer(JSON.parse(process.env.BENCH_ENV ?? '{}'), process.env.BENCH_FLAGS ? process.env.BENCH_FLAGS.split(' ') : undefined);
try {
  const pid = bench.server.child.pid!;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idle = rssOf(pid);

  await createEndpoint(bench.client, 'mem.example.com', origin.address);
  const objects = Math.ceil((1.5 * BUDGET) / (OBJECT_KIB * 1024));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < objects) await edgeGet(bench.edgePort, 'mem.example.com', `/o/${next++}`);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const full = rssOf(pid);
  const metrics = await (await fetch(`${bench.server.url}/metrics`)).text();
  const cacheBytes = Number(/mooncdn_edge_cache_bytes (\d+)/.exec(metrics)![1]);
  const cacheObjects = Number(/mooncdn_edge_cache_objects (\d+)/.exec(metrics)![1]);
  console.log(
    JSON.stringify(
      {
        benchmark: 'memory (RSS)',
        idleMB: mb(idle),
        fetchedObjects: objects,
        objectKiB: OBJECT_KIB,
        cacheBudgetMB: mb(BUDGET),
        cacheHeldMB: mb(cacheBytes),
        cacheObjects,
        fullMB: mb(full),
        overBudgetMB: mb(full - BUDGET),
      },
      null,
      2,
    ),
  );
} finally {
  await bench.close();
  await origin.close();
}
