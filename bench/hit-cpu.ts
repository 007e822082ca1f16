/**
 * CPU time the edge spends per cache hit (user + system, from /proc/PID/stat), 4 KiB and
 * 1 MiB objects under wrk. Unlike requests per second it does not move with what else runs on
 * a shared machine, so two builds can be compared on a busy one: run it in each, alternating.
 *
 *   npm run build && npx tsx bench/hit-cpu.ts [seconds=5]
 */
import { readFileSync } from 'node:fs';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { wrk } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 5);
const DOMAIN = 'bench.example.com';
const TICK_US = 1e6 / 100; // USER_HZ

const cpuUs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
};

const origin = await OriginServer.start();
origin.on('/4k.bin', { body: Buffer.alloc(4096, 'a'), headers: { 'cache-control': 'max-age=3600' } });
origin.on('/1m.bin', { body: Buffer.alloc(1024 * 1024, 'b'), headers: { 'cache-control': 'max-age=3600' } });
const bench = await startBenchServer();
try {
  await createEndpoint(bench.client, DOMAIN, origin.address);
  const pid = bench.server.child.pid!;
  const rows = [];
  for (const [path, connections] of [['/4k.bin', 32], ['/1m.bin', 8]] as const) {
    await edgeGet(bench.edgePort, DOMAIN, path);
    const before = cpuUs(pid);
    const result = await wrk({ url: `http://127.0.0.1:${bench.edgePort}${path}`, connections, seconds: SECONDS, headers: { host: DOMAIN } });
    const requests = result.requestsPerSecond * SECONDS;
    rows.push({ path, requestsPerSecond: Math.round(result.requestsPerSecond), cpuUsPerHit: Math.round(((cpuUs(pid) - before) / requests) * 10) / 10 });
  }
  console.log(JSON.stringify({ benchmark: 'edge CPU per cache hit', rows, loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') }));
} finally {
  await bench.close();
  await origin.close();
}
