/**
 * Purge: POST to Succeeded, in the embedded shape (a real `mooncdn serve` on SQLite, one
 * endpoint whose origin is a local Node server). Each purge is POSTed, then its operation is
 * polled back to back until Succeeded; the time from sending the POST to reading Succeeded is
 * recorded. Reports p50, p90, p99 and max over N purges.
 *
 *   npx tsx bench/purge-latency.ts [N=1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OriginServer } from '../test/support/origin-server.js';
import { startServer } from '../test/support/server-process.js';
import { SignedClient } from '../test/support/signed-client.js';

const N = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'mooncdn-bench-'));
const origin = await OriginServer.start();
const server = await startServer({ store: { kind: 'sqlite', file: join(dir, 'mooncdn.db') }, env: { MOONCDN_LOG_LEVEL: 'warn', MOONCDN_QUOTA_FILE_PURGES: String(N + 10) } });
const client = new SignedClient(server.url, server.credentials);
try {
  const created = await client.sub('POST', '/endpoints', { CustomDomain: 'bench.example.com', Origin: { Addresses: [origin.address] } });
  const endpointId = created.body.EndpointID;
  await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);

  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const started = performance.now();
    const accepted = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://bench.example.com/${i}.png`] });
    if (accepted.status !== 202) throw new Error(`purge answered ${accepted.status}`);
    for (;;) {
      const operation = await client.sub('GET', `/endpoints/${endpointId}/operations/${accepted.body.AsyncInfo.TaskTrackId}`);
      if (operation.body.Status === 'Succeeded') break;
      if (operation.body.Status === 'Failed') throw new Error(operation.body.Message);
    }
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(2);
  console.log(JSON.stringify({ benchmark: 'purge POST to Succeeded (embedded, SQLite)', purges: N, p50ms: at(0.5), p90ms: at(0.9), p99ms: at(0.99), maxms: at(1) }));
} finally {
  await client.close();
  await server.stop();
  await origin.close();
  rmSync(dir, { recursive: true, force: true });
}
