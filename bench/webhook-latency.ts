/**
 * Webhook latency: from an operation's end (the End it reports, written in the transaction
 * that ends it) to the receiver holding the signed delivery. In the embedded wiring without an
 * edge (purges end at once), SQLite, one receiver on loopback; purges one after another, each
 * waited for at the receiver. Milliseconds: End is to the millisecond.
 *
 *   npx tsx bench/webhook-latency.ts [purges=300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../src/domain/clock.js';
import { DEFAULT_QUOTAS } from '../src/domain/quota.js';
import { SecretBox } from '../src/domain/secret-box.js';
import { Metrics } from '../src/observability/metrics.js';
import { bootstrapCredentials } from '../src/server/bootstrap.js';
import { createControlPlane } from '../src/server/control-plane.js';
import { listen } from '../src/server/listen.js';
import { Store } from '../src/store/store.js';
import { newCredentials } from '../test/support/server-process.js';
import { SignedClient } from '../test/support/signed-client.js';

const PURGES = Number(process.argv[2] ?? 300);

const dir = mkdtempSync(join(tmpdir(), 'mooncdn-webhooks-'));
const arrivals = new Map<string, { at: number; end: number }>();
let arrived: ((id: string) => void) | undefined;
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const at = Date.now();
    const operation = JSON.parse(body) as { Id: string; End: string };
    arrivals.set(operation.Id, { at, end: Date.parse(operation.End) });
    res.writeHead(204).end();
    arrived?.(operation.Id);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

const credentials = newCredentials();
const store = await Store.open({ kind: 'sqlite', file: join(dir, 'mooncdn.db') }, new SecretBox(undefined));
await bootstrapCredentials(store, systemClock, credentials, { apiUrl: '', credentialsFile: join(dir, 'credentials') });
const plane = await createControlPlane(
  store,
  {
    signature: { skewMs: 900_000, allowTwelveHourClock: true, replayCache: false },
    bodyLimitBytes: 1 << 20,
    maxUrlsPerRequest: 100,
    quotas: { ...DEFAULT_QUOTAS, filePurges: 1_000_000 },
    edgeDeadlineMs: 30_000,
    apiTls: undefined,
    cnameSuffix: 'mooncdn.localhost',
    edge: { originTimeoutMs: 30_000 },
    host: '127.0.0.1',
    publicUrl: undefined,
  },
  systemClock,
  pino({ level: 'warn' }),
  new Metrics(),
);
const apiUrl = await listen(plane.api, '127.0.0.1', 0, 'the API', '--port', false);
plane.engine.start();
const client = new SignedClient(apiUrl, credentials);
try {
  await client.sub('PUT', '/webhooks/bench', { Url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, Secret: 'bench-secret-0123456789' });
  const created = await client.sub('POST', '/endpoints', { CustomDomain: 'hooks.example.com', Origin: { Addresses: ['origin.example.com'] } });
  const endpointId = created.body.EndpointID as string;
  const waitFor = (id: string) =>
    arrivals.has(id) ? Promise.resolve() : new Promise<void>((resolve) => (arrived = (got) => got === id && resolve()));
  await waitFor(String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  const latencies: number[] = [];
  for (let i = 0; i < PURGES; i++) {
    const accepted = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://hooks.example.com/${i}.png`] });
    const id = accepted.body.AsyncInfo.TaskTrackId as string;
    await waitFor(id);
    const { at, end } = arrivals.get(id)!;
    latencies.push(at - end);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(`webhook latency, operation End to receiver, ${PURGES} purges: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)} ms`);
} finally {
  await plane.api.close();
  await plane.engine.stop(1_000);
  await store.close();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
