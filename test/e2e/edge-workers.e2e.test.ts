/**
 * `mooncdn serve --edge-workers 2`: two edge processes share the edge's port and act as one
 * edge. Requests reach both (each caches on its own, so the origin sees one fetch per worker);
 * purges and settings reach both before they are Succeeded; a worker killed with -9 is
 * replaced and obeys later purges; the primary's /metrics sums the workers; killing the
 * primary takes the workers with it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { childPids, isAlive } from '../support/child-processes.js';
import { edgeGet } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

const DOMAIN = 'workers.example.com';
/**
 * Each request on a connection of its own, which round-robin scheduling (NODE_CLUSTER_SCHED_POLICY=rr,
 * set for this suite) hands to the workers in turn: so ROUNDS requests surely reach both. The
 * default scheduling (every worker accepts) has its own test below.
 */
const ROUNDS = 12;
const ROUND_ROBIN = { NODE_CLUSTER_SCHED_POLICY: 'rr' };

let where: TestStoreLocation;
let server: ServerProcess;
let client: SignedClient;
let origin: OriginServer;
let edgePort: number;
let endpointId: string;

async function operation(method: string, path: string, body?: unknown) {
  const accepted = await client.sub(method, path, body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return client.waitForOperation(endpointId, accepted.body.AsyncInfo.TaskTrackId);
}

/** ROUNDS requests, each on a new connection: their bodies and cache results. */
async function many(path: string): Promise<{ bodies: string[]; results: string[]; statuses: number[] }> {
  const responses = [];
  for (let i = 0; i < ROUNDS; i++) responses.push(await edgeGet(edgePort, DOMAIN, path));
  return { bodies: responses.map((r) => r.text), results: responses.map((r) => String(r.headers['x-cache'])), statuses: responses.map((r) => r.status) };
}

async function purge(path: string) {
  const result = await operation('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://${DOMAIN}${path}`] });
  expect(result.Status, result.Message).toBe('Succeeded');
}

beforeAll(async () => {
  where = await newStoreLocation('sqlite');
  origin = await OriginServer.start();
  server = await startServer({ store: where.location, args: ['--edge-workers', '2'], env: { ...ROUND_ROBIN, MOONCDN_EDGE_DEADLINE_MS: '5000', MOONCDN_METER_FLUSH_MS: '100' } });
  client = new SignedClient(server.url, server.credentials);
  edgePort = Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]);
  const created = await client.sub('POST', '/endpoints', { CustomDomain: DOMAIN, Origin: { Addresses: [origin.address] } });
  endpointId = created.body.EndpointID;
  await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  await operation('PUT', `/endpoints/${endpointId}/cacherules`, { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] });
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  await origin?.close();
  await where?.cleanup();
});

describe('serve --edge-workers 2', () => {
  it('runs two workers; requests reach both, and each caches on its own', async () => {
    expect(childPids(server.child.pid!)).toHaveLength(2);
    origin.on('/a.txt', { body: 'a1' });
    const seen = await many('/a.txt');
    expect(seen.bodies).toEqual(Array(ROUNDS).fill('a1'));
    // One fetch per worker: both were reached, and each kept its copy.
    expect(origin.count('/a.txt')).toBe(2);
    expect(seen.results.filter((result) => result === 'HIT')).toHaveLength(ROUNDS - 2);
  });

  it('a purge is Succeeded only when no worker serves the purged object any more', async () => {
    origin.on('/p.txt', { body: 'old' });
    await many('/p.txt');
    expect(origin.count('/p.txt')).toBe(2);
    origin.on('/p.txt', { body: 'new' });
    await purge('/p.txt');
    const after = await many('/p.txt');
    expect(after.bodies).toEqual(Array(ROUNDS).fill('new'));
    expect(origin.count('/p.txt')).toBe(4);
  });

  it('settings reach every worker before the operation is Succeeded', async () => {
    origin.on('/s.txt', { body: 's' });
    await operation('PUT', `/endpoints/${endpointId}/accesscontrol`, { ForbiddenIps: ['127.0.0.0/8'] });
    expect((await many('/s.txt')).statuses).toEqual(Array(ROUNDS).fill(403));
    await operation('PUT', `/endpoints/${endpointId}/accesscontrol`, { ForbiddenIps: [] });
    expect((await many('/s.txt')).statuses).toEqual(Array(ROUNDS).fill(200));
  });

  it('what an unsafe request invalidates in one worker, the other drops too (RFC 9111 §4.4)', async () => {
    origin.on('/inv.txt', { body: 'v1' });
    await many('/inv.txt');
    expect(origin.count('/inv.txt')).toBe(2);
    origin.on('/inv.txt', { body: 'v2' });
    expect((await edgeGet(edgePort, DOMAIN, '/inv.txt', { method: 'POST', body: 'x' })).status).toBe(200);
    // Passed on through the primary, without an acknowledgement: soon, not at once.
    await vi.waitFor(async () => expect((await many('/inv.txt')).bodies).toEqual(Array(ROUNDS).fill('v2')), { timeout: 5_000, interval: 20 });
  });

  it("the volume route counts both workers' traffic, written by the primary", async () => {
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'meter.workers.example.com', Origin: { Addresses: [origin.address] } });
    const id = created.body.EndpointID;
    await client.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    const rules = await client.sub('PUT', `/endpoints/${id}/cacherules`, { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] });
    await client.waitForOperation(id, rules.body.AsyncInfo.TaskTrackId);
    origin.on('/m.bin', { body: Buffer.alloc(100_000, 1) });
    // Four requests in turn: two per worker, each worker fetching once.
    for (let i = 0; i < 4; i++) expect((await edgeGet(edgePort, 'meter.workers.example.com', '/m.bin')).body.length).toBe(100_000);
    expect(origin.count('/m.bin')).toBe(2);
    const now = Date.now();
    const start = new Date(now - 3_600_000).toISOString().slice(0, 19) + 'Z';
    const end = new Date(now + 600_000).toISOString().slice(0, 19) + 'Z';
    await vi.waitFor(
      async () => {
        const volume = await client.sub('GET', `/endpoints/${id}/volume?granularity=PerDay&startTime=${start}&endTime=${end}`);
        expect(volume.body).toMatchObject({ TotalCdnVolumeInMB: 0.4, TotalOriginVolumeInMB: 0.2 });
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it("the API's /metrics sums the workers' edge counters", async () => {
    const hits = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^mooncdn_edge_requests_total\{result="HIT"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await hits();
    origin.on('/m.txt', { body: 'm' });
    await many('/m.txt');
    // Both workers answered hits (ROUNDS - 2 of them): only a sum reaches that figure.
    expect((await hits()) - before).toBe(ROUNDS - 2);
  });

  it('a worker killed with -9 is replaced, serves again, and later purges still evict from both', async () => {
    origin.on('/k.txt', { body: 'k1' });
    await many('/k.txt');
    const [victim, survivor] = childPids(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // A purge while it is down (or coming back) completes; the new worker starts with no disk.
    origin.on('/k.txt', { body: 'k2' });
    await purge('/k.txt');
    await vi.waitFor(
      () => {
        const now = childPids(server.child.pid!);
        expect(now).toHaveLength(2);
        expect(now).toContain(survivor);
        expect(now).not.toContain(victim);
      },
      { timeout: 15_000, interval: 50 },
    );
    await vi.waitFor(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 50 });
    const fetched = origin.count('/k.txt');
    const after = await many('/k.txt');
    expect(after.statuses).toEqual(Array(ROUNDS).fill(200));
    expect(after.bodies).toEqual(Array(ROUNDS).fill('k2'));
    // The survivor refetched after the purge; the new worker fetched its own copy.
    expect(origin.count('/k.txt') - fetched).toBe(2);

    // And a purge after the restart reaches the new worker too.
    origin.on('/k.txt', { body: 'k3' });
    await purge('/k.txt');
    expect((await many('/k.txt')).bodies).toEqual(Array(ROUNDS).fill('k3'));
  });
});

describe('with the default scheduling (every worker accepts)', () => {
  it('connections reach every worker', async () => {
    const own = await newStoreLocation('sqlite');
    const primary = await startServer({ store: own.location, args: ['--edge-workers', '2'] });
    const ownClient = new SignedClient(primary.url, primary.credentials);
    try {
      const port = Number(/http:\/\/[^:]+:(\d+) and https/.exec(primary.output())![1]);
      const created = await ownClient.sub('POST', '/endpoints', { CustomDomain: 'default.example.com', Origin: { Addresses: [origin.address] } });
      const id = created.body.EndpointID;
      await ownClient.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
      const rules = await ownClient.sub('PUT', `/endpoints/${id}/cacherules`, { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] });
      await ownClient.waitForOperation(id, rules.body.AsyncInfo.TaskTrackId);
      origin.on('/d.txt', { body: 'd' });
      // Which worker accepts is the kernel's choice: batches of concurrent connections until
      // the origin has seen one fetch per worker (each caches on its own).
      for (let batch = 0; origin.count('/d.txt') < 2; batch++) {
        if (batch === 50) throw new Error(`after ${batch} batches only ${origin.count('/d.txt')} worker fetched`);
        await Promise.all(Array.from({ length: 8 }, () => edgeGet(port, 'default.example.com', '/d.txt')));
      }
      expect(origin.count('/d.txt')).toBe(2);
    } finally {
      await ownClient.close();
      await primary.stop();
      await own.cleanup();
    }
  });
});

describe('a stuck worker', () => {
  it('is killed and replaced when it does not answer, so a purge still completes', async () => {
    const own = await newStoreLocation('sqlite');
    // The default scheduling: the worker that is not stopped takes every new connection.
    const primary = await startServer({ store: own.location, args: ['--edge-workers', '2'], env: { MOONCDN_EDGE_DEADLINE_MS: '60000' } });
    const ownClient = new SignedClient(primary.url, primary.credentials);
    try {
      const created = await ownClient.sub('POST', '/endpoints', { CustomDomain: 'stuck.example.com', Origin: { Addresses: [origin.address] } });
      const id = created.body.EndpointID;
      await ownClient.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
      const [stuck, other] = childPids(primary.child.pid!);
      process.kill(stuck!, 'SIGSTOP');
      const accepted = await ownClient.sub('POST', `/endpoints/${id}/purges`, { Files: ['http://stuck.example.com/a.txt'] });
      const purged = await ownClient.waitForOperation(id, accepted.body.AsyncInfo.TaskTrackId, 40_000);
      expect(purged.Status, purged.Message).toBe('Succeeded');
      expect(isAlive(stuck!)).toBe(false);
      await vi.waitFor(() => expect(childPids(primary.child.pid!).filter((pid) => pid !== stuck && pid !== other)).toHaveLength(1), { timeout: 15_000, interval: 50 });
    } finally {
      await ownClient.close();
      await primary.stop();
      await own.cleanup();
    }
  }, 60_000);
});

describe('with a disk tier', () => {
  it('each worker has its own directory, and one restarted after a crash does not serve from the disk it had', async () => {
    const own = await newStoreLocation('sqlite');
    const diskDir = mkdtempSync(join(tmpdir(), 'mooncdn-workers-disk-'));
    // Left by earlier runs: one process's tier at the top, a third worker's directory; and a file of the operator's.
    for (const dir of ['objects/00', 'worker-2/objects/00']) mkdirSync(join(diskDir, dir), { recursive: true });
    for (const file of ['objects/00/old', 'purges.jsonl', 'worker-2/objects/00/old', 'NOTES.txt']) writeFileSync(join(diskDir, file), 'x');
    // Objects over 64 KiB go straight to the disk tier (each worker: 8 MiB of disk, 512 KiB of memory).
    const args = ['--edge-workers', '2', '--edge-disk-bytes', String(16 << 20), '--edge-disk-dir', diskDir, '--edge-cache-bytes', String(1 << 20), '--edge-max-object-bytes', String(64 << 10)];
    const primary = await startServer({ store: own.location, args, env: ROUND_ROBIN });
    const ownClient = new SignedClient(primary.url, primary.credentials);
    try {
      // What two workers do not use is gone; what is not a tier's is kept.
      expect(readdirSync(diskDir).sort()).toEqual(['NOTES.txt', 'worker-0', 'worker-1']);
      const port = Number(/http:\/\/[^:]+:(\d+) and https/.exec(primary.output())![1]);
      const created = await ownClient.sub('POST', '/endpoints', { CustomDomain: 'disk.example.com', Origin: { Addresses: [origin.address] } });
      const id = created.body.EndpointID;
      await ownClient.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
      const rules = await ownClient.sub('PUT', `/endpoints/${id}/cacherules`, { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] });
      await ownClient.waitForOperation(id, rules.body.AsyncInfo.TaskTrackId);
      origin.on('/big.bin', { body: Buffer.alloc(200_000, 7) });
      const fetchAll = async () => {
        for (let i = 0; i < ROUNDS; i++) expect((await edgeGet(port, 'disk.example.com', '/big.bin')).body.length).toBe(200_000);
      };
      const filesOf = (slot: number) => objectFiles(join(diskDir, `worker-${slot}`));
      // Until each worker's copy is on its disk (a request while the file is being written misses).
      await vi.waitFor(
        async () => {
          await fetchAll();
          expect([filesOf(0).length, filesOf(1).length]).toEqual([1, 1]);
        },
        { timeout: 10_000, interval: 50 },
      );
      const survivorFile = statSync(filesOf(1)[0]!).ino;
      const fetched = origin.count('/big.bin');

      const [victim] = childPids(primary.child.pid!).filter((pid) => slotOf(pid) === 0);
      process.kill(victim!, 'SIGKILL');
      await vi.waitFor(() => expect(childPids(primary.child.pid!).filter((pid) => pid !== victim && slotOf(pid) === 0)).toHaveLength(1), { timeout: 15_000, interval: 50 });
      await vi.waitFor(async () => expect((await fetch(`${primary.url}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 50 });
      // Its directory was emptied at its start: it fetches its copy again; the other worker's file stays.
      await fetchAll();
      expect(origin.count('/big.bin')).toBeGreaterThan(fetched);
      expect(statSync(filesOf(1)[0]!).ino).toBe(survivorFile);
    } finally {
      await ownClient.close();
      await primary.stop();
      await own.cleanup();
      rmSync(diskDir, { recursive: true, force: true });
    }
  });
});

/** The worker's slot, from the variable the primary forks it with. */
function slotOf(pid: number): number | undefined {
  const slot = /(?:^|\0)MOONCDN_EDGE_WORKER_SLOT=(\d+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))?.[1];
  return slot === undefined ? undefined : Number(slot);
}

function objectFiles(dir: string): string[] {
  const objects = join(dir, 'objects');
  return existsSync(objects) ? readdirSync(objects, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)) : [];
}

describe('the primary', () => {
  it('killed with -9, takes its workers with it', async () => {
    const own = await newStoreLocation('sqlite');
    const primary = await startServer({ store: own.location, args: ['--edge-workers', '2'] });
    try {
      const workers = childPids(primary.child.pid!);
      expect(workers).toHaveLength(2);
      await primary.stop('SIGKILL');
      await vi.waitFor(() => expect(workers.filter(isAlive)).toEqual([]), { timeout: 10_000, interval: 50 });
    } finally {
      await primary.stop();
      await own.cleanup();
    }
  });

  it('stopped with SIGTERM, stops its workers and exits 0', async () => {
    const own = await newStoreLocation('sqlite');
    const primary = await startServer({ store: own.location, args: ['--edge-workers', '2'] });
    try {
      const workers = childPids(primary.child.pid!);
      expect(await primary.stop('SIGTERM')).toBe(0);
      expect(workers.filter(isAlive)).toEqual([]);
    } finally {
      await own.cleanup();
    }
  });
});
