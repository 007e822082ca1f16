/** Operations of one endpoint take effect in acceptance order; different endpoints run at once. */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
afterEach(() => harness?.close());

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('operation order', () => {
  it('runs the operations of one endpoint one at a time, in the order they were accepted', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    const first = gate();
    edge.behaviour = (call) => (call.kind === 'purge' && call.target.files[0] === '/1.png' ? first.opened : undefined);

    const ids: string[] = [];
    for (const name of ['1', '2', '3']) {
      const response = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: [`http://cdn.example.com/${name}.png`] } });
      expect(response.status).toBe(202);
      ids.push(response.body.AsyncInfo.TaskTrackId);
      // The others are accepted while the first runs (accepted together, they would run as one group).
      if (name === '1') await until(() => edge.calls.some((c) => c.kind === 'purge'), 'the first purge to reach the edge');
    }
    // The first is stalled on the edge: the others wait behind it, not started.
    expect((await harness.store.operations.get(ids[0]!))!.status).toBe('Processing');
    expect((await harness.store.operations.get(ids[1]!))!.status).toBe('NotSet');
    expect((await harness.store.operations.get(ids[2]!))!.status).toBe('NotSet');

    first.open();
    for (const id of ids) expect((await harness.waitForOperation(id)).status).toBe('Succeeded');
    const purged = edge.calls.flatMap((c) => (c.kind === 'purge' ? c.target.files : []));
    expect(purged).toEqual(['/1.png', '/2.png', '/3.png']);
  });

  it('a setting change accepted after a purge takes effect after it', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    const stalled = gate();
    edge.behaviour = (call) => (call.kind === 'purge' ? stalled.opened : undefined);

    const purge = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: ['http://cdn.example.com/a.png'] } });
    const update = await harness.sub('PUT', `/endpoints/${endpointId}`, {
      body: { EndpointSettings: { Host: 'new-host.example.com' }, UpdateFlag: 'HostHeader' },
    });
    expect(update.status).toBe(202);
    await until(() => edge.calls.some((c) => c.kind === 'purge'), 'the purge to start');
    expect((await harness.store.operations.get(update.body.AsyncInfo.TaskTrackId))!.status).toBe('NotSet');

    stalled.open();
    await harness.waitForOperation(update.body.AsyncInfo.TaskTrackId);
    const kinds = edge.calls.map((c) => c.kind);
    expect(kinds.lastIndexOf('apply')).toBeGreaterThan(kinds.indexOf('purge'));
    expect(edge.configs.get(endpointId)!.host).toBe('new-host.example.com');
    expect((await harness.sub('GET', `/endpoints/${endpointId}`)).body.Setting.Host).toBe('new-host.example.com');
    expect(purge.status).toBe(202);
  });

  it('runs operations of different endpoints at the same time', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const slow = await harness.createEndpoint('slow.example.com');
    const fast = await harness.createEndpoint('fast.example.com');
    const stalled = gate();
    edge.behaviour = (call) => (call.kind === 'purge' && call.endpointId === slow ? stalled.opened : undefined);

    const slowPurge = await harness.sub('POST', `/endpoints/${slow}/purges`, { body: { Files: ['http://slow.example.com/a'] } });
    const fastPurge = await harness.sub('POST', `/endpoints/${fast}/purges`, { body: { Files: ['http://fast.example.com/a'] } });
    expect((await harness.waitForOperation(fastPurge.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    expect((await harness.store.operations.get(slowPurge.body.AsyncInfo.TaskTrackId))!.status).toBe('Processing');
    stalled.open();
    expect((await harness.waitForOperation(slowPurge.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
  });

  it('runs the purges queued behind a running one as one group: one edge call, each operation with its own items', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    const first = gate();
    edge.behaviour = (call) => (call.kind === 'purge' && call.target.files[0] === '/0.png' ? first.opened : undefined);

    const accept = async (body: unknown) => (await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body })).body.AsyncInfo.TaskTrackId as string;
    const ids = [await accept({ Files: ['http://cdn.example.com/0.png'] })];
    await until(() => edge.calls.some((c) => c.kind === 'purge'), 'the first purge to reach the edge');
    for (let i = 1; i <= 3; i++) ids.push(await accept({ Files: [`http://cdn.example.com/${i}.png`] }));
    // Queued behind purges 1-3: the group must stop before it, so it still takes effect after them.
    const update = await harness.sub('PUT', `/endpoints/${endpointId}`, { body: { EndpointSettings: { Host: 'h.example.com' }, UpdateFlag: 'HostHeader' } });
    first.open();
    for (const id of ids) expect((await harness.waitForOperation(id)).status).toBe('Succeeded');
    await harness.waitForOperation(update.body.AsyncInfo.TaskTrackId);
    ids.push(await accept({ Files: ['http://cdn.example.com/4.png'] }));
    await harness.waitForOperation(ids[4]!);

    const purges = edge.calls.flatMap((c) => (c.kind === 'purge' ? [c.target.files] : []));
    expect(purges).toEqual([['/0.png'], ['/1.png', '/2.png', '/3.png'], ['/4.png']]);
    const kinds = edge.calls.map((c) => (c.kind === 'purge' ? c.target.files.join() : c.kind));
    expect(kinds.indexOf('apply', kinds.indexOf('/1.png,/2.png,/3.png'))).toBeGreaterThan(-1);
    for (const [i, id] of ids.entries()) {
      const items = await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
      expect(items.body.Files).toEqual([{ Url: `http://cdn.example.com/${i}.png`, Status: 'Succeed' }]);
    }
  });

  it('a purge of other URLs does not wait for a preload of a slow origin; one of the same URL does', async () => {
    const edge = new ScriptedEdge();
    // A preload may take as long as the test runs: its deadline must not end it.
    harness = await startHarness({ edges: [edge], settings: { edgeDeadlineMs: 60_000 } });
    const endpointId = await harness.createEndpoint('cdn.example.com');
    const origin = gate();
    edge.behaviour = (call) => (call.kind === 'preload' ? origin.opened : undefined);

    const preload = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, { body: { Files: ['http://cdn.example.com/video/big.mp4'] } });
    await until(() => edge.calls.some((c) => c.kind === 'preload'), 'the preload to reach the edge');
    const same = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Directories: ['http://cdn.example.com/video/'] } });
    const other = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: ['http://cdn.example.com/app.js'] } });

    // The unrelated purge ends while the preload is still fetching.
    expect((await harness.waitForOperation(other.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    expect((await harness.store.operations.get(preload.body.AsyncInfo.TaskTrackId))!.status).toBe('Processing');
    expect((await harness.store.operations.get(same.body.AsyncInfo.TaskTrackId))!.status).toBe('NotSet');

    origin.open();
    expect((await harness.waitForOperation(same.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    const order = edge.calls.filter((c) => c.kind !== 'apply').map((c) => (c.kind === 'purge' ? [...c.target.files, ...c.target.directories].join() : c.kind));
    expect(order).toEqual(['preload', '/app.js', '/video/']);
  });
});
