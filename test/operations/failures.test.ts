/** Failed operations say what failed; a failed change leaves the endpoint as it was. */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
afterEach(() => harness?.close());

describe('operation failures', () => {
  it('a purge an edge refuses fails, naming the edge and its error, with every item Failed', async () => {
    const good = new ScriptedEdge('edge-good');
    const bad = new ScriptedEdge('edge-bad');
    harness = await startHarness({ edges: [good, bad] });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    bad.behaviour = (call) => {
      if (call.kind === 'purge') throw new Error('disk full');
    };
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/purges`, {
      body: { Files: ['http://cdn.example.com/a.png'], Directories: ['http://cdn.example.com/img/'] },
    });
    const operation = await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId);
    expect(operation.status).toBe('Failed');
    expect(operation.message).toContain('edge "edge-bad": disk full');
    expect(operation.message).not.toContain('edge-good');

    const wire = await harness.sub('GET', `/endpoints/${endpointId}/operations/${operation.id}`);
    expect(wire.body).toMatchObject({ Status: 'Failed', Type: 'Purge', Message: operation.message });
    expect(wire.body.End).not.toBeNull();
    const items = await harness.sub('GET', `/endpoints/${endpointId}/purges/${operation.id}`);
    expect(items.body).toEqual({
      Files: [{ Url: 'http://cdn.example.com/a.png', Status: 'Failed' }],
      Directories: [{ Url: 'http://cdn.example.com/img/', Status: 'Failed' }],
      // Extension: what each edge did.
      Edges: [
        { EdgeId: 'edge-bad', Status: 'Failed', Message: 'disk full' },
        { EdgeId: 'edge-good', Status: 'Succeeded', Message: null },
      ],
    });
  });

  it('an edge that stays silent past the deadline fails the operation with a message naming it', async () => {
    const silent = new ScriptedEdge('edge-silent');
    harness = await startHarness({ edges: [silent], settings: { edgeDeadlineMs: 200 } });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    silent.behaviour = (call) => (call.kind === 'purge' ? new Promise(() => undefined) : undefined);
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: ['http://cdn.example.com/a'] } });
    const operation = await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId);
    expect(operation.status).toBe('Failed');
    expect(operation.message).toMatch(/edge "edge-silent": did not answer within/);
  });

  it('a settings change that does not reach every edge keeps the old settings and puts them back on the edges', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const endpointId = await harness.createEndpoint('cdn.example.com', ['origin-a.example.com']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    edge.behaviour = async (call) => {
      if (call.kind === 'apply' && call.config.originAddresses[0] === 'origin-b.example.com') {
        await held;
        throw new Error('config rejected');
      }
    };
    const accepted = await harness.sub('PUT', `/endpoints/${endpointId}`, {
      body: { EndpointSettings: { Origin: { Addresses: ['origin-b.example.com'] } }, UpdateFlag: 'Origin' },
    });
    expect(accepted.status).toBe(202);
    expect((await harness.sub('GET', `/endpoints/${endpointId}`)).body.Status.LifetimeStatus).toBe('Updating');
    release();

    const operation = await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId);
    expect(operation.status).toBe('Failed');
    expect(operation.message).toContain('config rejected');
    const endpoint = (await harness.sub('GET', `/endpoints/${endpointId}`)).body;
    expect(endpoint.Status.LifetimeStatus).toBe('Normal');
    expect(endpoint.Setting.Origin.Addresses).toEqual(['origin-a.example.com']);
    expect(edge.configs.get(endpointId)!.originAddresses).toEqual(['origin-a.example.com']);
  });

  it('a create that no edge accepts leaves the endpoint CreationFailed, which can only be deleted', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    edge.behaviour = (call) => {
      if (call.kind === 'apply') throw new Error('no capacity');
    };
    const created = await harness.sub('POST', '/endpoints', { body: { CustomDomain: 'cdn.example.com', Origin: { Addresses: ['o.example.com'] } } });
    const operationId = String(created.headers['operation-location']).split('/operations/')[1]!.split('?')[0]!;
    expect((await harness.waitForOperation(operationId)).status).toBe('Failed');
    const id = created.body.EndpointID;
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Status.LifetimeStatus).toBe('CreationFailed');

    const purge = await harness.sub('POST', `/endpoints/${id}/purges`, { body: { Files: ['http://cdn.example.com/a'] } });
    expect(purge.status).toBe(409);
    expect(purge.body.ErrorInfo.Type).toBe('EndpointNotInActiveState');
    const deleted = await harness.sub('DELETE', `/endpoints/${id}`);
    expect(deleted.status).toBe(202);
    expect((await harness.waitForOperation(deleted.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    expect((await harness.sub('GET', `/endpoints/${id}`)).status).toBe(404);
  });

  it('preload reports per URL which failed and what the edge said', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    edge.behaviour = (call) => {
      if (call.kind === 'preload' && call.target.path === '/missing.png') throw new Error('origin answered 404 Not Found');
    };
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, {
      body: { Files: ['http://cdn.example.com/ok.png', 'http://cdn.example.com/missing.png?v=1'] },
    });
    const operation = await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId);
    expect(operation.status).toBe('Failed');
    expect(operation.message).toContain('1 of 2 URLs failed');
    expect(operation.message).toContain('http://cdn.example.com/missing.png?v=1');
    expect(operation.message).toContain('origin answered 404 Not Found');
    const items = await harness.sub('GET', `/endpoints/${endpointId}/preloads/${operation.id}`);
    expect(items.body.Files).toEqual([
      { Url: 'http://cdn.example.com/ok.png', Status: 'Succeed' },
      { Url: 'http://cdn.example.com/missing.png?v=1', Status: 'Failed' },
    ]);
    const preloadCall = edge.calls.find((c) => c.kind === 'preload' && c.target.path === '/missing.png');
    expect(preloadCall).toMatchObject({ target: { query: 'v=1' } });
  });
});
