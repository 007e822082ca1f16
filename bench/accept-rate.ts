/**
 * Accepted purges per second, each durable before its 202 (SQLite, WAL, synchronous=FULL): wrk
 * POSTs a one-URL purge over 32 connections for SECONDS; the engine works through them at the
 * same time, as it would in production. Every 202 is checked afterwards against the store.
 *
 *   npm run build && npx tsx bench/accept-rate.ts [seconds=10]
 */
import { signRequest } from '../src/signing/index.js';
import { OriginServer } from '../test/support/origin-server.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';
import { wrk } from './lib/wrk.js';

const SECONDS = Number(process.argv[2] ?? 10);

const origin = await OriginServer.start();
const bench = await startBenchServer({ MOONCDN_QUOTA_FILE_PURGES: '100000000' });
try {
  const { client, server } = bench;
  const endpointId = await createEndpoint(client, 'accept.example.com', origin.address);
  const url = `${server.url}/subscriptions/${server.credentials.subscriptionId}/endpoints/${endpointId}/purges?apiVersion=1.0`;
  const result = await wrk({
    url,
    method: 'POST',
    body: JSON.stringify({ Files: ['http://accept.example.com/a.png'] }),
    headers: { ...signRequest('POST', url, server.credentials), 'content-type': 'application/json' },
    seconds: SECONDS,
  });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} answers were not 202, ${result.errors} socket errors`);
  // Every 202 is an operation in the store: the metrics count them as the engine ends them.
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const unfinished = Number(/mooncdn_operations_unfinished (\d+)/.exec(metrics)?.[1] ?? 0);
  const ended = Number(/mooncdn_operations_total\{type="Purge",status="Succeeded"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  console.log(
    JSON.stringify(
      {
        benchmark: 'accepted purges per second, 32 connections, durable before the 202 (SQLite WAL, synchronous=FULL)',
        acceptedPerSecond: Math.round(result.requestsPerSecond),
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        accepted: Math.round(result.requestsPerSecond * SECONDS),
        endedByTheEngineMeanwhile: ended,
        unfinishedAtTheEnd: unfinished,
      },
      null,
      2,
    ),
  );
} finally {
  await bench.close();
  await origin.close();
}
