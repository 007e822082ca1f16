/**
 * /metrics of `mooncdn serve` shows the memory the edge holds for bodies: the slabs taken from
 * the system (mooncdn_edge_slab_bytes) and, of them, what purged or evicted bodies still being
 * sent to a slow client hold outside the budget (mooncdn_edge_out_bytes), back to 0 once sent.
 */
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { loadServeConfig } from '../../src/config/serve-config.js';
import { startEmbeddedServer } from '../../src/server/embedded.js';
import { edgeGet } from '../support/edge-client.js';
import { SignedClient } from '../support/signed-client.js';
import { closeAll, patternedBody, stalledClient, startOrigin } from './edge-fixture.js';

const CREDENTIALS = { subscriptionId: '6d1c2b3a-4f5e-4a7b-8c9d-0e1f2a3b4c5d', keyId: 'memory-metrics', keyValue: 'm'.repeat(40) };
const DOMAIN = 'slabs.example.com';
const BIG = patternedBody(16 << 20);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
  await closeAll();
});

function gauge(text: string, name: string): number {
  const value = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`${name} is not in /metrics`);
  return Number(value);
}

it('counts the slabs bodies use, and a purged body still being sent until its client has it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-memory-metrics-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const origin = await startOrigin();
  origin.on('/big.bin', { body: BIG, headers: { 'cache-control': 'max-age=3600' } });
  const config = loadServeConfig(
    { port: '0', edgePort: '0', edgeTlsPort: '0', dataDir: dir, edgeCacheBytes: String(64 << 20), edgeMaxObjectBytes: String(32 << 20) },
    { MOONCDN_SUBSCRIPTION_ID: CREDENTIALS.subscriptionId, MOONCDN_KEY_ID: CREDENTIALS.keyId, MOONCDN_KEY_VALUE: CREDENTIALS.keyValue },
  );
  const server = await startEmbeddedServer(config, pino({ level: 'silent' }));
  const client = new SignedClient(server.apiUrl, CREDENTIALS);
  cleanup.push(async () => {
    await client.close();
    await server.close();
  });
  const metrics = async () => (await fetch(`${server.apiUrl}/metrics`)).text();
  expect(gauge(await metrics(), 'mooncdn_edge_slab_bytes')).toBe(0);

  const created = await client.sub('POST', '/endpoints', { CustomDomain: DOMAIN, Origin: { Addresses: [origin.address] } });
  await client.waitForOperation(created.body.EndpointID as string, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  expect((await edgeGet(server.edgeHttpPort, DOMAIN, '/big.bin')).body.equals(BIG)).toBe(true);
  const held = await metrics();
  expect(gauge(held, 'mooncdn_edge_slab_bytes')).toBeGreaterThanOrEqual(BIG.length);
  expect(gauge(held, 'mooncdn_edge_out_bytes')).toBe(0);

  // A client that stops reading a hit, then a purge of that object: its chunks are out.
  const slow = await stalledClient(server.edgeHttpPort, `GET /big.bin HTTP/1.1\r\nHost: ${DOMAIN}\r\nConnection: close\r\n\r\n`);
  const purge = await client.sub('POST', `/endpoints/${created.body.EndpointID}/purges`, { Files: [`http://${DOMAIN}/big.bin`] });
  expect(purge.status, JSON.stringify(purge.body)).toBe(202);
  await client.waitForOperation(created.body.EndpointID as string, String(purge.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  expect(gauge(await metrics(), 'mooncdn_edge_out_bytes')).toBeGreaterThanOrEqual(BIG.length);

  const answer = await slow.finish();
  expect(answer.subarray(answer.indexOf('\r\n\r\n') + 4).equals(BIG)).toBe(true);
  await vi.waitFor(async () => expect(gauge(await metrics(), 'mooncdn_edge_out_bytes')).toBe(0));
});
