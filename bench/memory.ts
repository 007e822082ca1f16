/**
 * Memory of a `mooncdn serve` (RSS from /proc) and its event loop while the edge cache fills and
 * evicts: RSS idle after start, then OBJECT_KIB objects fetched through the edge until 1.5x the
 * cache budget has passed (so least-recently-used eviction runs), then RSS again. The target
 * (issue 12): RSS full minus RSS idle <= budget + 50 MB, and the event loop's delay p99 during
 * the run <= 10 ms (prom-client's `mooncdn_nodejs_eventloop_lag_p99_seconds`, from
 * `perf_hooks.monitorEventLoopDelay`, less its 10 ms sampling interval; reading /metrics resets
 * it, so one read before the run and one after give the run's). BENCH_FLAGS with --trace-gc
 * adds the longest GC pauses; BENCH_NICE=-10 (as root) keeps a busy machine's other processes
 * from making the delay. BENCH_LOG=file keeps the server's output (e.g. its GC trace) in a file.
 *
 *   npm run build && npx tsx bench/memory.ts [objectKiB=64] [budgetMiB=256]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';

const OBJECT_KIB = Number(process.argv[2] ?? 64);
const BUDGET = Number(process.argv[3] ?? 256) * 1024 * 1024;
/** prom-client's default monitorEventLoopDelay resolution. */
const SAMPLING_MS = 10;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const mb = (bytes: number) => Math.round(bytes / 1e6);
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

const origin = await OriginServer.start();
origin.otherwise({ body: Buffer.alloc(OBJECT_KIB * 1024, 'm'), headers: { 'cache-control': 'max-age=3600' } });
const env = { MOONCDN_EDGE_CACHE_BYTES: String(BUDGET), ...JSON.parse(process.env.BENCH_ENV ?? '{}') };
const bench = await startBenchServer(env, process.env.BENCH_FLAGS ? process.env.BENCH_FLAGS.split(' ') : undefined);
try {
  const pid = bench.server.child.pid!;
  const metrics = async () => (await fetch(`${bench.server.url}/metrics`)).text();
  const gauge = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)![1]);
  // Node's histogram records each interval between its 10 ms timer's ticks, the 10 ms included: the delay is what is beyond it.
  const delayMs = (text: string, stat: 'p99' | 'max') => Math.round((gauge(text, `mooncdn_nodejs_eventloop_lag_${stat}_seconds`) * 1e3 - SAMPLING_MS) * 10) / 10;
  await metrics(); // resets the event loop delay histogram
  await settle();
  const idle = rssOf(pid);
  // The machine's own share of the delay (other processes on the core), with nothing to do.
  const quiet = await metrics();

  await createEndpoint(bench.client, 'mem.example.com', origin.address);
  const objects = Math.ceil((1.5 * BUDGET) / (OBJECT_KIB * 1024));
  await metrics(); // resets the event loop delay histogram
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < objects) await edgeGet(bench.edgePort, 'mem.example.com', `/o/${next++}`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const during = await metrics();
  await settle();
  const full = rssOf(pid);
  const after = await metrics();
  // With BENCH_FLAGS including --heapsnapshot-signal=SIGUSR2: a heap snapshot of the full cache (in the server's directory).
  if (process.env.BENCH_SNAPSHOT) {
    process.kill(pid, 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_SNAPSHOT) * 1000));
  }
  // BENCH_LOG=file: the server's output (GC traces) kept, to read the run in order.
  if (process.env.BENCH_LOG) writeFileSync(process.env.BENCH_LOG, bench.server.output());
  // With BENCH_FLAGS including --trace-gc: the longest pauses of each kind during the whole run.
  const pauses: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const [, kind, ms] of bench.server.stdout().matchAll(/(Scavenge|Mark-Compact|Mark-sweep)[^,]*?, ([0-9.]+) \/ [0-9.]+ ms/g)) {
    pauses[kind!] = Math.max(pauses[kind!] ?? 0, Number(ms));
    counts[kind!] = (counts[kind!] ?? 0) + 1;
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'memory (RSS) and event loop delay',
        objectKiB: OBJECT_KIB,
        cacheBudgetMB: mb(BUDGET),
        fetchedObjects: objects,
        fetchSeconds: Math.round(seconds * 10) / 10,
        cacheCountedMB: mb(gauge(after, 'mooncdn_edge_cache_bytes')),
        cacheObjects: gauge(after, 'mooncdn_edge_cache_objects'),
        idleMB: mb(idle),
        fullMB: mb(full),
        fullMinusIdleOverBudgetMB: mb(full - idle - BUDGET),
        // Where it is, full: V8's heap (used of committed) and memory outside it (slabs, buffers).
        heapUsedMB: mb(gauge(after, 'mooncdn_nodejs_heap_size_used_bytes')),
        heapTotalMB: mb(gauge(after, 'mooncdn_nodejs_heap_size_total_bytes')),
        externalMB: mb(gauge(after, 'mooncdn_nodejs_external_memory_bytes')),
        idleEventLoopDelayP99Ms: delayMs(quiet, 'p99'),
        eventLoopDelayP99Ms: delayMs(during, 'p99'),
        eventLoopDelayMaxMs: delayMs(during, 'max'),
        ...(Object.keys(pauses).length > 0 && { longestGcPauseMs: pauses, gcCount: counts }),
        loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      },
      null,
      2,
    ),
  );
} finally {
  await bench.close();
  await origin.close();
}
