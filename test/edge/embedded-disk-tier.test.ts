/**
 * The disk tier in the embedded server (what `mooncdn serve` runs) with --edge-disk-bytes:
 * kept under <data-dir>/edge-cache by default, shown in /metrics, and still serving hits after
 * the server is restarted on the same data directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServeConfig, type ServeConfig } from '../../src/config/serve-config.js';
import { startEmbeddedServer, type RunningServer } from '../../src/server/embedded.js';
import { edgeGet } from '../support/edge-client.js';
import { SignedClient } from '../support/signed-client.js';
import { closeAll, startOrigin } from './edge-fixture.js';

const CREDENTIALS = { subscriptionId: '0b3c4d5e-6f70-4182-93a4-b5c6d7e8f901', keyId: 'disk-tier', keyValue: 'd'.repeat(40) };
const DOMAIN = 'disk.example.com';
const BODY = Buffer.alloc(50_000, 'z');

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
  await closeAll();
});

async function serve(config: ServeConfig): Promise<{ server: RunningServer; client: SignedClient }> {
  const server = await startEmbeddedServer(config, pino({ level: 'silent' }));
  const client = new SignedClient(server.apiUrl, CREDENTIALS);
  cleanup.push(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

async function diskObjects(server: RunningServer): Promise<number> {
  const text = await (await fetch(`${server.apiUrl}/metrics`)).text();
  return Number(/^mooncdn_edge_disk_objects (\d+)$/m.exec(text)?.[1]);
}

describe('the disk tier of `mooncdn serve`', () => {
  it('keeps objects too large for memory in <data-dir>/edge-cache, counts them in /metrics, and serves them after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mooncdn-embedded-disk-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const origin = await startOrigin();
    origin.on('/large.bin', { body: BODY, headers: { 'cache-control': 'max-age=3600' } });
    const config = loadServeConfig(
      // Objects over 10 kB do not go into memory; the disk tier takes them.
      { port: '0', edgePort: '0', edgeTlsPort: '0', dataDir: dir, edgeMaxObjectBytes: '10000', edgeDiskBytes: String(8 << 20), edgeDeadlineMs: '5000' },
      { MOONCDN_SUBSCRIPTION_ID: CREDENTIALS.subscriptionId, MOONCDN_KEY_ID: CREDENTIALS.keyId, MOONCDN_KEY_VALUE: CREDENTIALS.keyValue },
    );
    expect(config.edge.disk).toEqual({ dir: join(dir, 'edge-cache'), bytes: 8 << 20 });

    const first = await serve(config);
    const created = await first.client.sub('POST', '/endpoints', { CustomDomain: DOMAIN, Origin: { Addresses: [origin.address] } });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    await first.client.waitForOperation(created.body.EndpointID as string, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    expect((await edgeGet(first.server.edgeHttpPort, DOMAIN, '/large.bin')).headers['x-cache']).toBe('MISS');
    const deadline = performance.now() + 5_000;
    while ((await diskObjects(first.server)) !== 1 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await diskObjects(first.server)).toBe(1);
    expect(existsSync(join(dir, 'edge-cache', 'purges.jsonl'))).toBe(true);
    await cleanup.pop()!();

    const second = await serve(config);
    expect(await diskObjects(second.server)).toBe(1);
    const hit = await edgeGet(second.server.edgeHttpPort, DOMAIN, '/large.bin');
    expect([hit.headers['x-cache'], hit.body.equals(BODY)]).toEqual(['HIT', true]);
    expect(origin.count('/large.bin')).toBe(1);
  });
});
