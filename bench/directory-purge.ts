/**
 * Directory purge with 1,000,000 cached objects under the directory, against one with 10:
 * POST to Succeeded through the real API, in the embedded wiring (control plane, SQLite, the
 * edge and its memory cache in this one process, so the cache can be filled directly with what
 * a million fills would store). Each purge is run ROUNDS times, alternating; medians.
 *
 *   npx tsx bench/directory-purge.ts [objects=1000000] [rounds=20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { cacheKey } from '../src/edge/cache/cache-store.js';
import { startInProcessEdge } from '../src/server/embedded-edge.js';
import { SecretBox } from '../src/domain/secret-box.js';
import { DEFAULT_QUOTAS } from '../src/domain/quota.js';
import { systemClock } from '../src/domain/clock.js';
import { Metrics } from '../src/observability/metrics.js';
import { bootstrapCredentials } from '../src/server/bootstrap.js';
import { createControlPlane } from '../src/server/control-plane.js';
import { listen } from '../src/server/listen.js';
import { Store } from '../src/store/store.js';
import { edgeGet } from '../test/support/edge-client.js';
import { OriginServer } from '../test/support/origin-server.js';
import { newCredentials } from '../test/support/server-process.js';
import { SignedClient } from '../test/support/signed-client.js';
import { median } from './lib/wrk.js';

const OBJECTS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 20);

const dir = mkdtempSync(join(tmpdir(), 'mooncdn-dirpurge-'));
const origin = await OriginServer.start();
origin.otherwise({ body: 'fresh', headers: { 'cache-control': 'max-age=3600' } });
const log = pino({ level: 'warn' });
const metrics = new Metrics();
const credentials = newCredentials();
const store = await Store.open({ kind: 'sqlite', file: join(dir, 'mooncdn.db') }, new SecretBox(undefined));
await bootstrapCredentials(store, systemClock, credentials, { apiUrl: '', credentialsFile: join(dir, 'credentials') });
const settings = {
  signature: { skewMs: 900_000, allowTwelveHourClock: true, replayCache: false },
  bodyLimitBytes: 1 << 20,
  maxUrlsPerRequest: 100,
  quotas: { ...DEFAULT_QUOTAS, directoryPurges: 1_000_000 },
  edgeDeadlineMs: 30_000,
  apiTls: undefined,
  cnameSuffix: 'mooncdn.localhost',
  edge: { originTimeoutMs: 30_000 },
  host: '127.0.0.1',
  publicUrl: undefined,
};
const plane = await createControlPlane(store, settings, systemClock, log, metrics);
const edge = await startInProcessEdge(
  { edgeHost: '127.0.0.1', edgePort: 0, edgeTlsPort: 0, edge: { cacheBytes: 4 * 1024 ** 3, maxObjectBytes: 1 << 20, originTimeoutMs: 30_000, fillBytes: 64 << 20, originMinBytesPerSecond: 1024, negativeTtlSeconds: 10, meterFlushMs: 60_000, accessLog: false, metricsEndpoints: 100, originDeny: [], tagHeaders: ['cache-tag'] } },
  store,
  plane.fleet,
  systemClock,
  log,
  metrics,
  plane.health,
);
const apiUrl = await listen(plane.api, '127.0.0.1', 0, 'the API', '--port', false);
plane.engine.start();
const client = new SignedClient(apiUrl, credentials);
try {
  const created = await client.sub('POST', '/endpoints', { CustomDomain: 'purge.example.com', Origin: { Addresses: [origin.address] } });
  const endpointId = created.body.EndpointID as string;
  await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);

  // What a million fills under /big/ and ten under /small/ would have stored.
  const now = Date.now();
  const put = (path: string) =>
    edge.cache.put({ key: cacheKey(endpointId, path, ''), endpointId, path, status: 200, headers: { 'cache-control': 'max-age=3600' }, body: Buffer.from('stale'), storedAt: now, staleAt: now + 3_600_000, generation: edge.cache.generation() });
  const started = performance.now();
  for (let i = 0; i < OBJECTS; i++) put(`/big/${i % 1000}/${i}.png`);
  for (let i = 0; i < 10; i++) put(`/small/${i}.png`);
  const filledSeconds = (performance.now() - started) / 1000;
  if (edge.cache.count !== OBJECTS + 10) throw new Error(`the cache holds ${edge.cache.count} objects, not ${OBJECTS + 10}`);
  const before = (await edgeGet(edge.listeners.httpPort, 'purge.example.com', '/big/7/7.png')).headers['x-cache'];

  const time = async (directory: string) => {
    const t0 = performance.now();
    const accepted = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Directories: [`http://purge.example.com${directory}`] });
    for (;;) {
      const operation = await client.sub('GET', `/endpoints/${endpointId}/operations/${accepted.body.AsyncInfo.TaskTrackId}`);
      if (operation.body.Status === 'Succeeded') break;
      if (operation.body.Status === 'Failed') throw new Error(operation.body.Message);
    }
    return performance.now() - t0;
  };
  const big: number[] = [];
  const small: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    big.push(await time('/big/'));
    small.push(await time('/small/'));
  }
  const edgeOnly = (directory: string) => {
    const t0 = performance.now();
    void edge.node.purge(endpointId, { files: [], directories: [directory], patterns: [] });
    return (performance.now() - t0) * 1000;
  };
  const after = await edgeGet(edge.listeners.httpPort, 'purge.example.com', '/big/7/7.png');
  console.log(
    JSON.stringify(
      {
        benchmark: 'directory purge, POST to Succeeded',
        cachedUnderDirectory: OBJECTS,
        fillSeconds: Number(filledSeconds.toFixed(1)),
        p50msWith1M: Number(median(big).toFixed(2)),
        maxMsWith1M: Number(Math.max(...big).toFixed(2)),
        p50msWith10: Number(median(small).toFixed(2)),
        maxMsWith10: Number(Math.max(...small).toFixed(2)),
        edgePurgeCallMicrosWith1M: Number(edgeOnly('/big/').toFixed(1)),
        edgePurgeCallMicrosWith10: Number(edgeOnly('/small/').toFixed(1)),
        beforePurge: before,
        afterPurge: `${after.headers['x-cache']} (${after.text})`,
      },
      null,
      2,
    ),
  );
} finally {
  await client.close();
  await plane.api.close();
  await plane.engine.stop();
  await edge.close();
  await store.close();
  await origin.close();
  rmSync(dir, { recursive: true, force: true });
}
