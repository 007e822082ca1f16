/** Purge, preload and operation routes. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
let edge: ScriptedEdge;
let endpointId: string;
beforeAll(async () => {
  edge = new ScriptedEdge();
  harness = await startHarness({ edges: [edge] });
  endpointId = await harness.createEndpoint('cdn.example.com');
});
afterAll(() => harness.close());

const purge = (body: unknown) => harness.sub('POST', `/endpoints/${endpointId}/purges`, { body });

/**
 * No purge was accepted since `callsBefore`: operations of an endpoint run in acceptance order,
 * so once a marker purge accepted now has ended, anything accepted before it has reached the edge.
 */
async function expectNothingAppliedSince(callsBefore: number): Promise<void> {
  const marker = `/marker-${randomUUID()}.png`;
  const accepted = await purge({ Files: [`http://cdn.example.com${marker}`] });
  await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId);
  expect(edge.calls.slice(callsBefore)).toEqual([{ kind: 'purge', endpointId, target: { files: [marker], directories: [], patterns: [] } }]);
}

describe('POST /purges', () => {
  it('accepts files and directories; the edge gets normalised paths; GET shows each item', async () => {
    const accepted = await purge({
      Files: ['http://cdn.example.com/a.png?v=2', 'https://CDN.example.com:8443/%7Euser/b%20c.js'],
      Directories: ['http://cdn.example.com/img/'],
    });
    expect(accepted.status).toBe(202);
    const id = accepted.body.AsyncInfo.TaskTrackId;
    expect((await harness.waitForOperation(id)).status).toBe('Succeeded');
    const call = edge.calls.find((c) => c.kind === 'purge' && c.target.directories.includes('/img/'));
    expect(call).toMatchObject({ kind: 'purge', target: { files: ['/a.png', '/~user/b%20c.js'], directories: ['/img/'] } });

    const result = await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      Files: [
        { Url: 'http://cdn.example.com/a.png?v=2', Status: 'Succeed' },
        { Url: 'https://CDN.example.com:8443/%7Euser/b%20c.js', Status: 'Succeed' },
      ],
      Directories: [{ Url: 'http://cdn.example.com/img/', Status: 'Succeed' }],
      Edges: [{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null }],
    });
    const operation = await harness.sub('GET', `/endpoints/${endpointId}/operations/${id}`);
    expect(operation.body).toEqual({
      Id: id,
      Type: 'Purge',
      Status: 'Succeeded',
      Message: null,
      Start: expect.stringMatching(/Z$/),
      End: expect.stringMatching(/Z$/),
      EndpointId: endpointId,
      SubscriptionId: harness.subscriptionId,
    });
  });

  it.each([
    ['a .. segment', 'Files', 'http://cdn.example.com/a/../../etc/passwd', 'MaliciousItemPathDetected'],
    ['an encoded .. segment', 'Files', 'http://cdn.example.com/a/%2E%2e/b', 'MaliciousItemPathDetected'],
    ['an encoded slash', 'Files', 'http://cdn.example.com/a%2Fb', 'MaliciousItemPathDetected'],
    ['a backslash', 'Files', 'http://cdn.example.com/a\\b', 'MaliciousItemPathDetected'],
    ['NUL', 'Files', 'http://cdn.example.com/a%00.png', 'MaliciousItemPathDetected'],
    ['CR/LF', 'Files', 'http://cdn.example.com/a\r\nX-Injected: 1', 'MaliciousItemPathDetected'],
    ['user-info', 'Files', 'http://attacker@cdn.example.com/a', 'MaliciousItemPathDetected'],
    ['another host', 'Directories', 'http://evil.example.org/', 'MaliciousItemPathDetected'],
    ['another scheme', 'Files', 'file:///etc/passwd', 'MaliciousItemPathDetected'],
    ['a relative URL', 'Files', '/a.png', 'ParameterInvalid'],
    ['a directory with a query', 'Directories', 'http://cdn.example.com/img/?v=1', 'ParameterInvalid'],
  ])('refuses a request with %s and applies none of it', async (_, field, url, type) => {
    const callsBefore = edge.calls.length;
    const response = await purge({ Files: ['http://cdn.example.com/good.png'], [field]: [...(field === 'Files' ? ['http://cdn.example.com/good.png'] : []), url] });
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo.Type).toBe(type);
    expect(response.body.ErrorInfo.Message).toContain(`${field}[${field === 'Files' ? 1 : 0}]`);
    await expectNothingAppliedSince(callsBefore);
  });

  it('refuses an empty request and a Files that is not a list', async () => {
    const empty = await purge({});
    expect(empty.status).toBe(400);
    expect(empty.body.ErrorInfo.Type).toBe('ParameterMissing');
    const notList = await purge({ Files: 'http://cdn.example.com/a' });
    expect(notList.status).toBe(400);
    expect(notList.body.ErrorInfo).toMatchObject({ Type: 'ParameterInvalid', Message: 'Body property Files must be an array.' });
  });

  it('refuses more than 100 URLs, saying how to split them', async () => {
    const files = Array.from({ length: 101 }, (_, i) => `http://cdn.example.com/${i}.png`);
    const response = await purge({ Files: files });
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo.Message).toMatch(/101 URLs; at most 100/);
  });
});

describe('POST /preloads', () => {
  it('accepts files; items go from Waiting to Succeed', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    edge.behaviour = (call) => (call.kind === 'preload' ? held : undefined);
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, {
      body: { Files: ['http://cdn.example.com/1.mp4', 'http://cdn.example.com/2.mp4'] },
    });
    expect(accepted.status).toBe(202);
    const id = accepted.body.AsyncInfo.TaskTrackId;
    await vi.waitFor(() => expect(edge.calls.at(-1)).toMatchObject({ kind: 'preload' }));
    const running = await harness.sub('GET', `/endpoints/${endpointId}/preloads/${id}`);
    expect(running.body.Files.map((f: { Status: string }) => f.Status)).toEqual(['Running', 'Running']);
    expect((await harness.sub('GET', `/endpoints/${endpointId}/operations/${id}`)).body).toMatchObject({ Status: 'Processing', End: null });
    release();
    edge.behaviour = () => undefined;
    await harness.waitForOperation(id);
    expect((await harness.sub('GET', `/endpoints/${endpointId}/preloads/${id}`)).body).toEqual({
      Files: [
        { Url: 'http://cdn.example.com/1.mp4', Status: 'Succeed' },
        { Url: 'http://cdn.example.com/2.mp4', Status: 'Succeed' },
      ],
      Edges: [{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null }],
    });
  });

  it('refuses directories and missing Files', async () => {
    const dir = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, { body: { Files: ['http://cdn.example.com/img/'] } });
    expect(dir.status).toBe(400);
    expect(dir.body.ErrorInfo.Message).toContain('Directories');
    const missing = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, { body: {} });
    expect(missing.body.ErrorInfo).toMatchObject({ Type: 'ParameterMissing' });
    expect(missing.body.ErrorInfo.Message).toContain('Files');
  });
});

describe('reading by id', () => {
  it('404 ParameterInvalid for unknown ids, ids of another type, and ids of another endpoint', async () => {
    const purgeId = (await purge({ Files: ['http://cdn.example.com/x'] })).body.AsyncInfo.TaskTrackId;
    await harness.waitForOperation(purgeId);
    const other = await harness.createEndpoint('other.example.com');
    const cases = [
      `/endpoints/${endpointId}/operations/00000000-0000-4000-8000-000000000000`,
      `/endpoints/${endpointId}/purges/00000000-0000-4000-8000-000000000000`,
      `/endpoints/${endpointId}/preloads/${purgeId}`,
      `/endpoints/${other}/operations/${purgeId}`,
      `/endpoints/${other}/purges/${purgeId}`,
    ];
    for (const path of cases) {
      const response = await harness.sub('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.body.ErrorInfo.Type, path).toBe('ParameterInvalid');
    }
    const sub = await harness.createSubscription();
    const key = await harness.createKey({ subscriptionId: sub });
    const foreign = await harness.request('GET', `/subscriptions/${sub}/endpoints/${endpointId}/operations/${purgeId}`, { key });
    expect(foreign.status).toBe(403);
    expect(foreign.body.ErrorInfo.Type).toBe('EndpointDoesNotBelongToSubscription');
  });

  it('operation status NotSet before a worker takes it', async () => {
    await harness.plane.engine.stop();
    const id = (await purge({ Files: ['http://cdn.example.com/queued'] })).body.AsyncInfo.TaskTrackId;
    expect((await harness.sub('GET', `/endpoints/${endpointId}/operations/${id}`)).body).toMatchObject({ Status: 'NotSet', End: null, Message: null });
    expect((await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`)).body.Files).toEqual([{ Url: 'http://cdn.example.com/queued', Status: 'Running' }]);
    harness.plane.engine.start();
    expect((await harness.waitForOperation(id)).status).toBe('Succeeded');
  });
});
