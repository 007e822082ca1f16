/**
 * Connecting to a busy edge. A load process (pinned to the load core) opens CLIENTS keep-alive
 * connections to the edge's HTTP port at once, as fast as it can call connect(), and then has
 * each ask for a cached 4 KiB object in a loop (the HIT path). Meanwhile this process, idle
 * otherwise so its own timings are not delayed by the load, connects PROBES new clients one
 * after another and times each to its socket's 'connect' (handshake done; the kernel may still
 * hold it in the listen queue) and to its first response's headers (the server took it and
 * answered). A SYN the kernel dropped because the listen queue was full is sent again after
 * 1 s, 3 s, 7 s: the kernel's count of such drops (ListenOverflows, /proc/net/netstat) is
 * reported for the burst and for the probes.
 *
 *   npm run build && npx tsx bench/many-connections.ts [clients=2000] [probes=50]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { LOAD_CORE } from './lib/wrk.js';

const DOMAIN = 'conn.example.com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
};

interface Timing {
  connectMs: number;
  responseMs: number;
}

/** One GET on `agent`: ms to the socket's connect (if it made one) and to the response headers. */
function timedGet(port: number, agent: Agent): Promise<Timing> {
  const started = performance.now();
  let connectMs = 0;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/hit.txt', headers: { host: DOMAIN }, agent }, (res) => {
      const responseMs = performance.now() - started;
      res.resume();
      res.on('end', () => resolve({ connectMs, responseMs }));
      res.on('error', reject);
    });
    req.on('socket', (socket) => socket.once('connect', () => (connectMs = performance.now() - started)));
    req.on('error', reject);
    req.end();
  });
}

/** The kernel's count of connections dropped because a listen queue was full (Linux). */
function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((line) => line.startsWith('TcpExt:'));
  const names = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[names.indexOf('ListenOverflows')]);
}

/** The load process: the burst, then requests in a loop until its parent disconnects. */
async function load(port: number, clients: number): Promise<void> {
  const agents = Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const burst = await Promise.all(agents.map((agent) => timedGet(port, agent)));
  let served = 0;
  let running = true;
  process.on('disconnect', () => (running = false));
  const started = performance.now();
  process.send!({ burst });
  await Promise.all(
    agents.map(async (agent) => {
      while (running) {
        await timedGet(port, agent).catch(() => undefined);
        served++;
      }
    }),
  );
  console.error(JSON.stringify({ hitsPerSecond: Math.round(served / ((performance.now() - started) / 1000)) }));
  process.exit(0);
}

async function main(clients: number, probes: number): Promise<void> {
  const origin = await OriginServer.start();
  origin.on('/hit.txt', { body: Buffer.alloc(4096, 'h'), headers: { 'cache-control': 'max-age=3600' } });
  const bench = await startBenchServer();
  try {
    await createEndpoint(bench.client, DOMAIN, origin.address);
    const port = bench.edgePort;
    await timedGet(port, new Agent({ keepAlive: false }));

    const overflowsBefore = listenOverflows();
    const child = spawn('taskset', ['-c', LOAD_CORE, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), 'load', String(port), String(clients)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let childErr = '';
    child.stderr!.on('data', (chunk: Buffer) => (childErr += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const burst = await new Promise<Timing[]>((resolve) => child.once('message', (message: { burst: Timing[] }) => resolve(message.burst)));
    const overflowsBurst = listenOverflows() - overflowsBefore;

    await sleep(1000);
    const timings: Timing[] = [];
    for (let i = 0; i < probes; i++) timings.push(await timedGet(port, new Agent({ keepAlive: false })));
    const overflowsProbing = listenOverflows() - overflowsBefore - overflowsBurst;
    child.disconnect();
    await exited;
    const hitsPerSecond = /"hitsPerSecond":(\d+)/.exec(childErr)?.[1];

    console.log(
      JSON.stringify(
        {
          benchmark: `${clients} keep-alive clients on the edge's HIT path, then ${probes} new clients`,
          burstConnectP50Ms: percentile(burst.map((t) => t.connectMs), 50),
          burstFirstResponseP50Ms: percentile(burst.map((t) => t.responseMs), 50),
          burstFirstResponseP90Ms: percentile(burst.map((t) => t.responseMs), 90),
          burstFirstResponseMaxMs: percentile(burst.map((t) => t.responseMs), 100),
          listenQueueOverflowsInBurst: overflowsBurst,
          newClientConnectP50Ms: percentile(timings.map((t) => t.connectMs), 50),
          newClientFirstResponseP50Ms: percentile(timings.map((t) => t.responseMs), 50),
          newClientFirstResponseP99Ms: percentile(timings.map((t) => t.responseMs), 99),
          listenQueueOverflowsWhileProbing: overflowsProbing,
          hitsPerSecondMeanwhile: Number(hitsPerSecond),
        },
        null,
        2,
      ),
    );
  } finally {
    await bench.close();
    await origin.close();
  }
}

if (process.argv[2] === 'load') await load(Number(process.argv[3]), Number(process.argv[4]));
else await main(Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 50));
