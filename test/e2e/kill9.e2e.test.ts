/**
 * No accepted operation is lost: after kill -9 and a restart, every operation that got its 202
 * ends, Succeeded, exactly once. A preload from an origin that does not answer holds the
 * purges of its URL accepted behind it, so they are certainly unfinished at the kill; after the
 * restart they run after it, in acceptance order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Store } from '../../src/store/store.js';
import { edgeGet } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, STORE_KINDS, type TestStoreLocation } from '../support/stores.js';

const PURGES = 200;
const CONCURRENCY = 16;

describe.each(STORE_KINDS)('kill -9 on %s', (kind) => {
  let where: TestStoreLocation;
  let origin: OriginServer;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    where = await newStoreLocation(kind);
    origin = await OriginServer.start();
  });
  afterAll(async () => {
    await server?.stop();
    await origin?.close();
    await where?.cleanup();
  });

  it('loses no accepted operation', async () => {
    server = await startServer({ store: where.location, env: { MOONCDN_EDGE_ORIGIN_TIMEOUT_MS: '120000' } });
    const credentials = server.credentials;
    let client = new SignedClient(server.url, credentials);
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'kill.example.com', Origin: { Addresses: [origin.address] } });
    const endpointId = created.body.EndpointID;
    await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    const rules = await client.sub('PUT', `/endpoints/${endpointId}/cacherules`, { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] });
    await client.waitForOperation(endpointId, rules.body.AsyncInfo.TaskTrackId);

    origin.on('/slow.bin', { hang: true });
    const preload = await client.sub('POST', `/endpoints/${endpointId}/preloads`, { Files: ['http://kill.example.com/slow.bin'] });
    expect(preload.status).toBe(202);
    const accepted = [preload.body.AsyncInfo.TaskTrackId as string];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PURGES) {
          const n = next++;
          // The preload's URL, and another of its own: a purge that touches the preload waits for it.
          const response = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: ['http://kill.example.com/slow.bin', `http://kill.example.com/${n}.png`] });
          expect(response.status).toBe(202);
          accepted.push(response.body.AsyncInfo.TaskTrackId);
        }
      }),
    );
    expect((await client.sub('GET', `/endpoints/${endpointId}/operations/${accepted[0]}`)).body.Status).toBe('Processing');
    expect(await server.stop('SIGKILL')).toBe('SIGKILL');
    await client.close();

    // The store as the kill left it: every accepted operation is there, none has ended.
    const store = await Store.open(where.location, new SecretBox(undefined));
    expect(await store.operations.countUnfinished()).toBe(PURGES + 1);
    await store.close();

    // The origin answers now; the restarted server finishes everything, in order.
    origin.on('/slow.bin', { body: 'finally' });
    server = await startServer({ store: where.location, credentials });
    client = new SignedClient(server.url, credentials);
    for (const id of accepted) {
      const operation = await client.waitForOperation(endpointId, id, 60_000);
      expect(operation.Status, `${operation.Type} ${id}: ${operation.Message}`).toBe('Succeeded');
    }
    const items = await client.sub('GET', `/endpoints/${endpointId}/preloads/${accepted[0]}`);
    expect(items.body.Files).toEqual([{ Url: 'http://kill.example.com/slow.bin', Status: 'Succeed' }]);
    await client.close();

    // The purges ran after the preload, as they were accepted: the preloaded copy is gone.
    const edgePort = Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]);
    const fetched = origin.count('/slow.bin');
    const served = await edgeGet(edgePort, 'kill.example.com', '/slow.bin');
    expect(served).toMatchObject({ status: 200, text: 'finally' });
    expect(served.headers['x-cache']).toBe('MISS');
    expect(origin.count('/slow.bin')).toBe(fetched + 1);

    const after = await Store.open(where.location, new SecretBox(undefined));
    expect(await after.operations.countUnfinished()).toBe(0);
    await after.close();
  });
});
