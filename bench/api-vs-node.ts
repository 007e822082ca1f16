/**
 * Signed GET of an endpoint and of an operation: requests/s and p99 at 32 connections, against
 * a bare Node.js `http` server answering the same bytes (the ceiling for a Node server here).
 * Server on one core, wrk on the other; A and B alternate, medians of ROUNDS runs.
 *
 *   npm run build && npx tsx bench/api-vs-node.ts [seconds=10] [rounds=3]
 */
import { spawn } from 'node:child_process';
import { signRequest } from '../src/signing/index.js';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { alternate, SERVER_CORE, wrk } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);

const origin = await OriginServer.start();
const bench = await startBenchServer();
const bare: { stop(): void; port: number }[] = [];
try {
  const { client, server } = bench;
  const endpointId = await createEndpoint(client, 'bench.example.com', origin.address);
  const purge = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: ['http://bench.example.com/a.png'] });
  const operationId = purge.body.AsyncInfo.TaskTrackId as string;
  await client.waitForOperation(endpointId, operationId);

  const results = [];
  for (const [name, path] of [
    ['GET endpoint', `/subscriptions/${server.credentials.subscriptionId}/endpoints/${endpointId}`],
    ['GET operation', `/subscriptions/${server.credentials.subscriptionId}/endpoints/${endpointId}/operations/${operationId}`],
  ] as const) {
    const url = `${server.url}${path}?apiVersion=1.0`;
    // One signature serves the whole run: the date stays within the skew window.
    const headers = { ...signRequest('GET', url, server.credentials) };
    const sample = await fetch(url, { headers });
    const body = await sample.text();
    const contentType = sample.headers.get('content-type')!;
    if (sample.status !== 200) throw new Error(`${name} answered ${sample.status}: ${body}`);
    const ceiling = await bareNode(body, contentType);
    bare.push(ceiling);
    const { a, b } = await alternate(
      ROUNDS,
      () => wrk({ url, headers, seconds: SECONDS }),
      () => wrk({ url: `http://127.0.0.1:${ceiling.port}/`, seconds: SECONDS }),
    );
    if (a.non2xx || a.errors) throw new Error(`${name}: ${a.non2xx} non-2xx answers, ${a.errors} socket errors`);
    results.push({
      benchmark: `signed ${name}, 32 connections`,
      mooncdnRps: Math.round(a.requestsPerSecond),
      mooncdnP99Ms: a.p99Ms,
      bareNodeRps: Math.round(b.requestsPerSecond),
      bareNodeP99Ms: b.p99Ms,
      ratio: Number((a.requestsPerSecond / b.requestsPerSecond).toFixed(2)),
    });
    ceiling.stop();
  }
  console.log(JSON.stringify(results, null, 2));
} finally {
  for (const server of bare) server.stop();
  await bench.close();
  await origin.close();
}

/** A bare Node http server, on the server core, answering `body` to every request. */
async function bareNode(body: string, contentType: string): Promise<{ stop(): void; port: number }> {
  const code = `
    const body = Buffer.from(process.env.BODY);
    require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': process.env.TYPE, 'content-length': body.length, 'x-correlation-id': require('node:crypto').randomUUID() });
      res.end(body);
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn('taskset', ['-c', SERVER_CORE, process.execPath, '-e', code], { env: { ...process.env, BODY: body, TYPE: contentType }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { port, stop: () => child.kill() };
}
