/**
 * What the API accepts really happens at the edge of a real `mooncdn serve`: purges evict,
 * preloads fill, settings reach the edge, TLS serves the bound certificate, traffic is metered.
 * A real origin (Node http) counts what reaches it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { certificateFor, edgeGet } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

const CERTS = join(import.meta.dirname, '../fixtures/certs');

let where: TestStoreLocation;
let server: ServerProcess;
let client: SignedClient;
let origin: OriginServer;
let edgePort: number;
let edgeTlsPort: number;

beforeAll(async () => {
  where = await newStoreLocation('sqlite');
  origin = await OriginServer.start();
  // The edge deadline equals the origin timeout, as with the defaults (30 s each), only shorter.
  server = await startServer({ store: where.location, env: { MOONCDN_METER_FLUSH_MS: '100', MOONCDN_EDGE_ORIGIN_TIMEOUT_MS: '3000', MOONCDN_EDGE_DEADLINE_MS: '3000' } });
  client = new SignedClient(server.url, server.credentials);
  edgePort = Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]);
  edgeTlsPort = Number(/and https:\/\/[^:]+:(\d+)/.exec(server.output())![1]);
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  await origin?.close();
  await where?.cleanup();
});

async function endpoint(domain: string, settings: { rules?: unknown; addresses?: string[] } = {}): Promise<string> {
  const created = await client.sub('POST', '/endpoints', { CustomDomain: domain, Origin: { Addresses: settings.addresses ?? [origin.address] } });
  expect(created.status).toBe(202);
  const id = created.body.EndpointID;
  await client.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  if (settings.rules) await operation(id, 'PUT', `/endpoints/${id}/cacherules`, settings.rules);
  return id;
}

async function operation(endpointId: string, method: string, path: string, body?: unknown) {
  const accepted = await client.sub(method, path, body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return client.waitForOperation(endpointId, accepted.body.AsyncInfo.TaskTrackId);
}

const cacheAll = { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] };

describe('purge', () => {
  it('after a file purge says Succeeded, the next request goes to the origin; every query variant is dropped', async () => {
    const id = await endpoint('purge.example.com', { rules: cacheAll });
    origin.on('/p/a.css', { body: 'a { color: red }' });
    for (const path of ['/p/a.css', '/p/a.css', '/p/a.css?v=1', '/p/a.css?v=1']) await edgeGet(edgePort, 'purge.example.com', path);
    expect(origin.count('/p/a.css')).toBe(2);
    const hit = await edgeGet(edgePort, 'purge.example.com', '/p/a.css');
    expect(hit.headers['x-cache']).toBe('HIT');

    const result = await operation(id, 'POST', `/endpoints/${id}/purges`, { Files: ['http://purge.example.com/p/a.css'] });
    expect(result.Status).toBe('Succeeded');
    const after = await edgeGet(edgePort, 'purge.example.com', '/p/a.css');
    const afterVariant = await edgeGet(edgePort, 'purge.example.com', '/p/a.css?v=1');
    expect([after.headers['x-cache'], afterVariant.headers['x-cache']]).toEqual(['MISS', 'MISS']);
    expect(origin.count('/p/a.css')).toBe(4);
  });

  it('a directory purge drops everything under it and nothing beside it', async () => {
    const id = await endpoint('dir.example.com', { rules: cacheAll });
    origin.otherwise({ body: 'content' });
    const paths = ['/img/a.png', '/img/sub/b.png', '/imgx/c.png', '/d.png'];
    for (const path of paths) await edgeGet(edgePort, 'dir.example.com', path);
    await operation(id, 'POST', `/endpoints/${id}/purges`, { Directories: ['http://dir.example.com/img/'] });
    const states = await Promise.all(paths.map(async (path) => (await edgeGet(edgePort, 'dir.example.com', path)).headers['x-cache']));
    expect(states).toEqual(['MISS', 'MISS', 'HIT', 'HIT']);
  });
});

describe('preload', () => {
  it('after a preload says Succeeded, the next request is a hit that never reaches the origin', async () => {
    const id = await endpoint('preload.example.com', { rules: cacheAll });
    origin.on('/big.bin', { body: Buffer.alloc(256 * 1024, 7) });
    const result = await operation(id, 'POST', `/endpoints/${id}/preloads`, { Files: ['http://preload.example.com/big.bin'] });
    expect(result.Status).toBe('Succeeded');
    const fetched = origin.count('/big.bin');
    const response = await edgeGet(edgePort, 'preload.example.com', '/big.bin');
    expect(response.headers['x-cache']).toBe('HIT');
    expect(response.body.length).toBe(256 * 1024);
    expect(origin.count('/big.bin')).toBe(fetched);
  });

  it('a URL the origin refuses fails the operation, saying which URL and what the origin answered', async () => {
    const id = await endpoint('preload-fail.example.com', { rules: cacheAll });
    origin.on('/gone.js', { status: 410, body: 'gone' });
    origin.on('/ok.js', { body: 'ok' });
    const result = await operation(id, 'POST', `/endpoints/${id}/preloads`, {
      Files: ['http://preload-fail.example.com/ok.js', 'http://preload-fail.example.com/gone.js'],
    });
    expect(result.Status).toBe('Failed');
    expect(result.Message).toContain('http://preload-fail.example.com/gone.js');
    expect(result.Message).toContain('410');
    const items = await client.sub('GET', `/endpoints/${id}/preloads/${result.Id}`);
    expect(items.body.Files).toEqual([
      { Url: 'http://preload-fail.example.com/ok.js', Status: 'Succeed' },
      { Url: 'http://preload-fail.example.com/gone.js', Status: 'Failed' },
    ]);
  });

  it('an origin that does not answer fails the preload with a Message naming the origin, not the edge that waited for it', async () => {
    const id = await endpoint('preload-stall.example.com', { rules: cacheAll });
    origin.on('/stall.bin', { hang: true });
    const result = await operation(id, 'POST', `/endpoints/${id}/preloads`, { Files: ['http://preload-stall.example.com/stall.bin'] });
    expect(result.Status).toBe('Failed');
    expect(result.Message).toContain('http://preload-stall.example.com/stall.bin');
    expect(result.Message).toContain(`${origin.address}: no answer within 3000 ms`);
    expect(result.Message).not.toContain('did not answer within');
  });

  it('a purge does not wait for a preload from a stalled origin', async () => {
    const id = await endpoint('purge-beside.example.com', { rules: cacheAll });
    origin.on('/stalled.bin', { hang: true });
    const preload = await client.sub('POST', `/endpoints/${id}/preloads`, { Files: ['http://purge-beside.example.com/stalled.bin'] });
    expect(preload.status).toBe(202);
    const purge = await operation(id, 'POST', `/endpoints/${id}/purges`, { Files: ['http://purge-beside.example.com/app.js'] });
    expect(purge.Status).toBe('Succeeded');
    // The preload ends only when the origin timeout runs out; the purge ended before that.
    const fetch = await client.waitForOperation(id, preload.body.AsyncInfo.TaskTrackId);
    expect(fetch.Status).toBe('Failed');
    expect(Date.parse(purge.End)).toBeLessThan(Date.parse(fetch.End));
  });
});

describe('settings reach the edge', () => {
  it('origin and host header changes, disable, enable, access control and delete take effect on the next request', async () => {
    const second = await OriginServer.start();
    try {
      const id = await endpoint('settings.example.com');
      origin.on('/who', (req) => ({ body: `first ${req.headers.host}` }));
      second.on('/who', (req) => ({ body: `second ${req.headers.host}` }));
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).text).toBe('first settings.example.com');

      await operation(id, 'PUT', `/endpoints/${id}`, { EndpointSettings: { Origin: { Addresses: [second.address] } }, UpdateFlag: 'Origin' });
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).text).toBe('second settings.example.com');
      await operation(id, 'PUT', `/endpoints/${id}`, { EndpointSettings: { Host: 'origin-vhost.example.com' }, UpdateFlag: 'HostHeader' });
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).text).toBe('second origin-vhost.example.com');

      await operation(id, 'POST', `/endpoints/${id}/disable`);
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).status).toBe(403);
      await operation(id, 'POST', `/endpoints/${id}/enable`);
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).status).toBe(200);

      await operation(id, 'PUT', `/endpoints/${id}/accesscontrol`, { ForbiddenIps: ['127.0.0.0/8'] });
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).status).toBe(403);
      await operation(id, 'PUT', `/endpoints/${id}/accesscontrol`, { ForbiddenIps: [] });

      await operation(id, 'DELETE', `/endpoints/${id}`);
      expect((await edgeGet(edgePort, 'settings.example.com', '/who')).status).toBe(404);
    } finally {
      await second.close();
    }
  });
});

describe('HTTPS', () => {
  it('after CreateHttpsBinding says Succeeded, the edge presents that certificate for the domain', async () => {
    const id = await endpoint('cdn.example.com');
    origin.on('/secure.txt', { body: 'over tls' });
    await expect(certificateFor(edgeTlsPort, 'cdn.example.com')).rejects.toThrow();

    const uploaded = await client.sub('POST', '/https/certificates', {
      Name: 'cdn',
      PublicCertificate: readFileSync(join(CERTS, 'rsa.crt'), 'utf8'),
      PrivateKey: readFileSync(join(CERTS, 'rsa.key'), 'utf8'),
    });
    expect(uploaded.status).toBe(200);
    const bound = await client.sub('POST', '/https/bindings', { CertificateId: uploaded.body.CertificateId, EndpointId: id });
    expect(bound.status).toBe(202);
    expect((await client.waitForOperation(id, bound.body.AsyncInfo.TaskTrackId)).Status).toBe('Succeeded');

    const presented = await certificateFor(edgeTlsPort, 'cdn.example.com');
    expect(presented.fingerprint.replace(/:/g, '')).toBe(uploaded.body.Thumbprint);
    const response = await edgeGet(edgeTlsPort, 'cdn.example.com', '/secure.txt', { https: { ca: readFileSync(join(CERTS, 'rsa.crt')) } });
    expect(response.text).toBe('over tls');
  });
});

describe('traffic metering', () => {
  it('the volume route reports the bytes sent to clients and fetched from the origin', async () => {
    const id = await endpoint('meter.example.com', { rules: cacheAll });
    origin.on('/m.bin', { body: Buffer.alloc(100_000, 1) });
    for (let i = 0; i < 3; i++) await edgeGet(edgePort, 'meter.example.com', '/m.bin');
    const now = new Date();
    const start = new Date(now.getTime() - 3_600_000).toISOString().slice(0, 19) + 'Z';
    const end = new Date(now.getTime() + 600_000).toISOString().slice(0, 19) + 'Z';
    // The meter flushes every --meter-flush-ms: poll until the bytes are written.
    await vi.waitFor(async () => {
      const volume = await client.sub('GET', `/endpoints/${id}/volume?granularity=PerDay&startTime=${start}&endTime=${end}`);
      expect(volume.status).toBe(200);
      expect(volume.body).toMatchObject({ TotalCdnVolumeInMB: 0.3, TotalOriginVolumeInMB: 0.1 });
    }, { timeout: 10_000, interval: 50 });
  });
});
