/**
 * watchOperation (extension): the client follows an operation's event stream, in process
 * against the control plane listening on a free port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MooncdnClient, type EdgeResult, type ItemProgress, type Operation } from '../../src/client/index.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
let edge: ScriptedEdge;
let client: MooncdnClient;
let endpointId: string;

beforeAll(async () => {
  edge = new ScriptedEdge();
  harness = await startHarness({ edges: [edge] });
  const baseUrl = await harness.plane.api.listen({ port: 0, host: '127.0.0.1' });
  endpointId = await harness.createEndpoint('watch.example.com');
  // The server checks signatures against its clock: the harness's, at its start.
  client = new MooncdnClient({ baseUrl, subscriptionId: harness.subscriptionId, keyId: harness.key.keyId, keyValue: harness.key.keyValue });
  harness.clock.set(Date.now());
});
afterAll(async () => {
  await client?.close();
  await harness.close();
});

describe('watchOperation', () => {
  it('reports each status, each URL\'s progress and each edge\'s answer, and resolves with the final Operation', async () => {
    // The edge holds the preload until the client has seen its URL running.
    let release!: () => void;
    const seenRunning = new Promise<void>((resolve) => (release = resolve));
    edge.behaviour = (call) => (call.kind === 'preload' ? seenRunning : undefined);
    const { operationId } = await client.preload(endpointId, { Files: ['http://watch.example.com/a.css'] });
    const statuses: string[] = [];
    const items: ItemProgress[] = [];
    const edges: Array<EdgeResult & { before: string | undefined }> = [];
    const final: Operation = await client.watchOperation(endpointId, operationId, {
      onStatus: (operation) => statuses.push(operation.Status),
      onEdge: (result) => edges.push({ ...result, before: statuses.at(-1) }),
      onItem: (item) => {
        items.push(item);
        if (item.Status === 'Running') release();
      },
    });
    expect(final).toMatchObject({ Id: operationId, Status: 'Succeeded' });
    expect(statuses.at(-1)).toBe('Succeeded');
    expect(items.map((item) => item.Status).slice(-2)).toEqual(['Running', 'Succeed']);
    expect(items.every((item) => item.Url === 'http://watch.example.com/a.css')).toBe(true);
    // The edge's answer came while the preload was still Processing, before its final status.
    expect(edges).toEqual([{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null, before: 'Processing' }]);
  });

  it('rejects with the API error for an unknown operation', async () => {
    await expect(client.watchOperation(endpointId, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ type: 'ParameterInvalid', status: 404 });
  });
});

describe('webhook methods', () => {
  it('put, get, list, deliveries and delete', async () => {
    const hook = await client.putWebhook('ci', 'https://hooks.example.com/cdn', 'secret-0123456789abcdef');
    expect(hook).toEqual({ Name: 'ci', Url: 'https://hooks.example.com/cdn', CreatedAt: expect.any(String) });
    expect(await client.getWebhook('ci')).toEqual(hook);
    expect(await client.listWebhooks()).toEqual([hook]);
    expect(await client.listWebhookDeliveries('ci')).toEqual([]);
    await client.deleteWebhook('ci');
    expect(await client.listWebhooks()).toEqual([]);
    await expect(client.getWebhook('ci')).rejects.toMatchObject({ type: 'ParameterInvalid', status: 404 });
  });
});
