/** LifetimeStatus moves through its transitional states by operations (CONTRACT §4, §6). */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
afterEach(() => harness?.close());

function holdEdge(edge: ScriptedEdge, kind: 'apply' | 'remove') {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  edge.behaviour = (call) => (call.kind === kind ? held : undefined);
  return () => {
    edge.behaviour = () => undefined;
    release();
  };
}

const status = async (id: string) => (await harness.sub('GET', `/endpoints/${id}`)).body.Status;

describe('endpoint lifetime', () => {
  it('Creating -> Normal, with the configuration on the edge', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const release = holdEdge(edge, 'apply');
    const created = await harness.sub('POST', '/endpoints', { body: { CustomDomain: 'cdn.example.com', Origin: { Addresses: ['o.example.com:8081'] } } });
    expect(created.status).toBe(202);
    expect(created.body.Status.LifetimeStatus).toBe('Creating');
    expect((await status(created.body.EndpointID)).LifetimeStatus).toBe('Creating');
    release();
    const operationId = String(created.headers['operation-location']).match(/operations\/([^?]+)/)![1]!;
    const operation = await harness.waitForOperation(operationId);
    expect(operation).toMatchObject({ type: 'CreateEndpoint', status: 'Succeeded' });
    expect((await status(created.body.EndpointID)).LifetimeStatus).toBe('Normal');
    expect(edge.configs.get(created.body.EndpointID)).toMatchObject({ customDomain: 'cdn.example.com', originAddresses: ['o.example.com:8081'], enabled: true });
  });

  it('disable: Disabling -> Normal with Enabled false; enable: Enabling -> Normal with Enabled true', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const id = await harness.createEndpoint();
    for (const [action, transitional, enabled] of [['disable', 'Disabling', false], ['enable', 'Enabling', true]] as const) {
      const release = holdEdge(edge, 'apply');
      const accepted = await harness.sub('POST', `/endpoints/${id}/${action}`);
      expect(accepted.status).toBe(202);
      expect(accepted.body.AsyncInfo.TaskStatus).toBe('Processing');
      expect(await status(id)).toMatchObject({ LifetimeStatus: transitional, Enabled: !enabled });
      release();
      expect((await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
      expect(await status(id)).toMatchObject({ LifetimeStatus: 'Normal', Enabled: enabled });
      expect(edge.configs.get(id)!.enabled).toBe(enabled);
    }
  });

  it('enable of an enabled endpoint is accepted and succeeds at once', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const id = await harness.createEndpoint();
    const callsBefore = edge.calls.length;
    const accepted = await harness.sub('POST', `/endpoints/${id}/enable`);
    expect(accepted.status).toBe(202);
    expect(accepted.body.AsyncInfo.TaskStatus).toBe('Succeeded');
    const operation = await harness.sub('GET', `/endpoints/${id}/operations/${accepted.body.AsyncInfo.TaskTrackId}`);
    expect(operation.body).toMatchObject({ Type: 'EnableEndpoint', Status: 'Succeeded', Message: null });
    expect(operation.body.End).toBe(operation.body.Start);
    expect(edge.calls.length).toBe(callsBefore);
  });

  it('refuses setting changes, purges and a second delete in transitional states with 409', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const id = await harness.createEndpoint('cdn.example.com');
    const release = holdEdge(edge, 'apply');
    await harness.sub('PUT', `/endpoints/${id}/cacherules`, { body: { Rules: [] } });
    expect((await status(id)).LifetimeStatus).toBe('Updating');

    const attempts = [
      harness.sub('PUT', `/endpoints/${id}/accesscontrol`, { body: { ForbiddenIps: ['10.0.0.1'] } }),
      harness.sub('POST', `/endpoints/${id}/disable`),
      harness.sub('POST', `/endpoints/${id}/purges`, { body: { Files: ['http://cdn.example.com/a'] } }),
      harness.sub('POST', `/endpoints/${id}/preloads`, { body: { Files: ['http://cdn.example.com/a'] } }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(409);
      expect(response.body.ErrorInfo.Type).toBe('EndpointNotInActiveState');
      expect(response.body.ErrorInfo.Message).toContain('Updating');
    }
    // Delete is refused only while Deleting.
    const deleted = await harness.sub('DELETE', `/endpoints/${id}`);
    expect(deleted.status).toBe(202);
    expect((await status(id)).LifetimeStatus).toBe('Deleting');
    const again = await harness.sub('DELETE', `/endpoints/${id}`);
    expect(again.status).toBe(409);
    expect(again.body.ErrorInfo.Message).toContain('Deleting');
    release();
    expect((await harness.waitForOperation(deleted.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
  });

  it('purge and preload need an enabled endpoint', async () => {
    harness = await startHarness();
    const id = await harness.createEndpoint('cdn.example.com');
    await harness.waitForOperation((await harness.sub('POST', `/endpoints/${id}/disable`)).body.AsyncInfo.TaskTrackId);
    const purge = await harness.sub('POST', `/endpoints/${id}/purges`, { body: { Files: ['http://cdn.example.com/a'] } });
    expect(purge.status).toBe(409);
    expect(purge.body.ErrorInfo).toMatchObject({ Type: 'EndpointNotInActiveState' });
    expect(purge.body.ErrorInfo.Message).toContain('disabled');
  });

  it('delete: Deleting -> gone; its operations stay readable and its domain is free again', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const id = await harness.createEndpoint('cdn.example.com');
    const release = holdEdge(edge, 'remove');
    const deleted = await harness.sub('DELETE', `/endpoints/${id}`);
    expect(deleted.status).toBe(202);
    expect((await status(id)).LifetimeStatus).toBe('Deleting');
    release();
    const operationId = deleted.body.AsyncInfo.TaskTrackId;
    expect((await harness.waitForOperation(operationId)).status).toBe('Succeeded');

    const gone = await harness.sub('GET', `/endpoints/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.ErrorInfo.Type).toBe('EndpointNotFound');
    expect((await harness.sub('GET', '/endpoints')).body).toEqual([]);
    const operation = await harness.sub('GET', `/endpoints/${id}/operations/${operationId}`);
    expect(operation.status).toBe(200);
    expect(operation.body).toMatchObject({ Type: 'DeleteEndpoint', Status: 'Succeeded' });
    expect(edge.configs.has(id)).toBe(false);
    expect(await harness.createEndpoint('cdn.example.com')).not.toBe(id);
  });

  it('a change queued before a delete does not bring the endpoint back to Normal', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const id = await harness.createEndpoint();
    const release = holdEdge(edge, 'apply');
    const update = await harness.sub('PUT', `/endpoints/${id}`, { body: { EndpointSettings: { Host: 'h.example.com' }, UpdateFlag: 'HostHeader' } });
    const deleted = await harness.sub('DELETE', `/endpoints/${id}`);
    release();
    expect((await harness.waitForOperation(update.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    const endpoint = await harness.store.endpoints.get(id);
    expect(['Deleting', 'Deleted']).toContain(endpoint!.lifetimeStatus);
    expect((await harness.waitForOperation(deleted.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    expect((await harness.store.endpoints.get(id))!.lifetimeStatus).toBe('Deleted');
  });
});
