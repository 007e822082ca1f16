/**
 * Server-sent events of an operation (extension): GET .../operations/{o}/events, signed like
 * every route, streams every status, every URL's progress and each edge's answer in order and
 * ends after the final status. Scripted edges hold the work, so each state lasts until the
 * stream has shown it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/signing/index.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';
import { expectError } from './route-test-kit.js';
import { until as poll } from '../support/poll.js';

let harness: Harness;
let edge: ScriptedEdge;
/** A second edge, attached by the tests of per-edge progress only. */
let other: ScriptedEdge;
let address: string;
let endpointId: string;
let domain: string;

beforeAll(async () => {
  edge = new ScriptedEdge();
  other = new ScriptedEdge('edge-other');
  harness = await startHarness({ edges: [edge] });
  address = await harness.plane.api.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => harness.close());
beforeEach(async () => {
  edge.behaviour = () => undefined;
  harness.plane.engine.start();
  await harness.reset();
  endpointId = await harness.createEndpoint();
  domain = (await harness.store.endpoints.get(endpointId))!.customDomain;
});

interface Event {
  readonly event: string;
  readonly data: any;
}

/** Opens the stream and collects its events as they come; `done` resolves when the server ends it. */
function openStream(operationId: string, signal?: AbortSignal) {
  const target = `/subscriptions/${harness.subscriptionId}/endpoints/${endpointId}/operations/${operationId}/events?apiVersion=1.0`;
  const events: Event[] = [];
  const response = fetch(`${address}${target}`, { headers: { ...signRequest('GET', target, harness.key, new Date(harness.clock.now())) }, ...(signal ? { signal } : {}) });
  const done = response.then(async (res) => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) continue;
        const event = /^event: (.*)$/m.exec(block)![1]!;
        const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!);
        events.push({ event, data });
      }
    }
    return events;
  });
  return { events, done };
}

/** In-process waits are short: 5 s at most, looking every 5 ms. */
const until = (condition: () => boolean | Promise<boolean>, what: string) => poll(condition, what, { timeoutMs: 5_000, everyMs: 5 });

const summary = (events: readonly Event[]) =>
  events.map((e) =>
    e.event === 'status' ? `status ${e.data.Status}` : e.event === 'edge' ? `edge ${e.data.EdgeId} ${e.data.Status}` : `item ${e.data.Url.split('/').pop()} ${e.data.Status}`,
  );
/** The events but the edges' (whose place among the items' is not fixed: both are written as the edges answer). */
const withoutEdges = (events: readonly Event[]) => summary(events.filter((e) => e.event !== 'edge'));

describe('GET .../operations/{o}/events', () => {
  it('streams every transition and every URL\'s progress, in order, and ends after the final status', async () => {
    // The edge holds each URL's preload until the test lets it go.
    const release = new Map<string, () => void>();
    edge.behaviour = (call) => {
      if (call.kind !== 'preload') return undefined;
      return new Promise<void>((resolve) => release.set(call.target.path, resolve));
    };
    await harness.plane.engine.stop();
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, { body: { Files: [`http://${domain}/a.css`] } });
    const operationId = accepted.body.AsyncInfo.TaskTrackId as string;
    const stream = openStream(operationId);
    await until(() => stream.events.length === 2, 'the stream shows the accepted state');
    expect(summary(stream.events)).toEqual(['status NotSet', 'item a.css Waiting']);
    expect(stream.events[0]!.data).toEqual({
      Id: operationId, Type: 'Preload', Status: 'NotSet', Message: null, Start: expect.any(String), End: null, EndpointId: endpointId, SubscriptionId: harness.subscriptionId,
    });

    harness.plane.engine.start();
    await until(() => release.has('/a.css') && stream.events.length === 4, 'the preload runs');
    expect(summary(stream.events).slice(2)).toEqual(['status Processing', 'item a.css Running']);
    release.get('/a.css')!();

    const events = await stream.done;
    expect(withoutEdges(events)).toEqual(['status NotSet', 'item a.css Waiting', 'status Processing', 'item a.css Running', 'item a.css Succeed', 'status Succeeded']);
    expect(summary(events).slice(-3)).toContain('edge edge-test Succeeded');
    expect(events.at(-1)!.data).toMatchObject({ Id: operationId, Status: 'Succeeded', End: expect.any(String) });
    expect(harness.plane.api.operationWatch.waiting).toBe(0);
  });

  it('streams a failure with its message, and an ended operation as its final state at once', async () => {
    edge.behaviour = (call) => {
      if (call.kind === 'purge') throw new Error('edge on fire');
    };
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: [`http://${domain}/a.png`] } });
    const operationId = accepted.body.AsyncInfo.TaskTrackId as string;
    const events = await openStream(operationId).done;
    const last = events.at(-1)!;
    expect(last.event).toBe('status');
    expect(last.data).toMatchObject({ Id: operationId, Status: 'Failed', Message: expect.stringContaining('edge on fire') });
    expect(events.filter((e) => e.event === 'status' && e.data.Status === 'Failed')).toHaveLength(1);

    expect(events.find((e) => e.event === 'edge')!.data).toEqual({ EdgeId: 'edge-test', Status: 'Failed', Message: 'edge on fire' });

    const again = await openStream(operationId).done;
    expect(summary(again)).toEqual(['item a.png Failed', 'edge edge-test Failed', 'status Failed']);
  });

  it('leaves no waiter behind when the client goes away', async () => {
    await harness.plane.engine.stop();
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: [`http://${domain}/a.png`] } });
    const controller = new AbortController();
    const stream = openStream(accepted.body.AsyncInfo.TaskTrackId as string, controller.signal);
    await until(() => stream.events.length === 2 && harness.plane.api.operationWatch.waiting === 1, 'the stream waits');
    controller.abort();
    await expect(stream.done).rejects.toThrow();
    await until(() => harness.plane.api.operationWatch.waiting === 0, 'the waiter is gone');
  });

  it('is signed and checked like every route', async () => {
    const unsigned = await harness.sub('GET', `/endpoints/${endpointId}/operations/00000000-0000-4000-8000-000000000000/events`, { unsigned: true });
    expectError(unsigned, 401, 'MissingAuthorizationHeader');
    const unknown = await harness.sub('GET', `/endpoints/${endpointId}/operations/00000000-0000-4000-8000-000000000000/events`);
    expectError(unknown, 404, 'ParameterInvalid', /does not exist/);
  });
});

describe('per-edge progress (event: edge)', () => {
  /** Attaches the second edge for the test, holding its purge or preload calls until released. */
  function holdOther(kind: 'purge' | 'preload'): Map<string, (error?: Error) => void> {
    const release = new Map<string, (error?: Error) => void>();
    other.behaviour = (call) => {
      if (call.kind !== kind) return undefined;
      const key = call.kind === 'preload' ? call.target.path : 'purge';
      return new Promise<void>((resolve, reject) => release.set(key, (error) => (error ? reject(error) : resolve())));
    };
    harness.plane.fleet.attach(other);
    return release;
  }

  it('shows each edge\'s answer as it arrives, before the final status, and the result\'s Edges with it', async () => {
    const release = holdOther('purge');
    try {
      const accepted = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: [`http://${domain}/a.png`] } });
      const operationId = accepted.body.AsyncInfo.TaskTrackId as string;
      const stream = openStream(operationId);
      await until(() => summary(stream.events).includes('edge edge-test Succeeded'), 'the first edge\'s answer is streamed');
      // The other edge has not answered: the operation is still running, and says so.
      expect(release.has('purge')).toBe(true);
      expect(summary(stream.events).filter((line) => line.startsWith('status'))).not.toContain('status Succeeded');
      expect(stream.events.find((e) => e.event === 'edge')!.data).toEqual({ EdgeId: 'edge-test', Status: 'Succeeded', Message: null });
      const partial = await harness.sub('GET', `/endpoints/${endpointId}/purges/${operationId}`);
      expect(partial.body.Edges).toEqual([{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null }]);

      release.get('purge')!(new Error('disk full'));
      const events = await stream.done;
      // The edge's answer, and the URL's status written when the purge ends, both before the final status.
      expect(summary(events).at(-1)).toBe('status Failed');
      expect(summary(events).slice(-3).sort()).toEqual(['edge edge-other Failed', 'item a.png Failed', 'status Failed']);
      expect(events.find((e) => e.event === 'edge' && e.data.EdgeId === 'edge-other')!.data).toEqual({ EdgeId: 'edge-other', Status: 'Failed', Message: 'disk full' });
      expect(summary(events).filter((line) => line.startsWith('edge'))).toEqual(['edge edge-test Succeeded', 'edge edge-other Failed']);
      const final = await harness.sub('GET', `/endpoints/${endpointId}/purges/${operationId}`);
      expect(final.body.Edges).toEqual([
        { EdgeId: 'edge-other', Status: 'Failed', Message: 'disk full' },
        { EdgeId: 'edge-test', Status: 'Succeeded', Message: null },
      ]);
    } finally {
      for (const resolve of release.values()) resolve();
      harness.plane.fleet.detach(other.id);
      other.behaviour = () => undefined;
    }
  });

  it('shows a preload\'s edge once it has answered every URL', async () => {
    const release = holdOther('preload');
    try {
      const accepted = await harness.sub('POST', `/endpoints/${endpointId}/preloads`, { body: { Files: [`http://${domain}/a.css`, `http://${domain}/b.css`] } });
      const operationId = accepted.body.AsyncInfo.TaskTrackId as string;
      const stream = openStream(operationId);
      await until(() => release.size === 2, 'the other edge holds both URLs');
      await until(() => summary(stream.events).includes('edge edge-test Succeeded'), 'the first edge\'s answer is streamed');
      // The other edge answers one URL: not yet all of its part, so no event for it.
      release.get('/a.css')!();
      await until(() => summary(stream.events).includes('item a.css Succeed'), 'the first URL is done');
      expect(summary(stream.events).filter((line) => line.startsWith('edge'))).toEqual(['edge edge-test Succeeded']);
      release.get('/b.css')!();
      const events = await stream.done;
      expect(summary(events).filter((line) => line.startsWith('edge'))).toEqual(['edge edge-test Succeeded', 'edge edge-other Succeeded']);
      expect(summary(events).at(-1)).toBe('status Succeeded');
    } finally {
      for (const resolve of release.values()) resolve();
      harness.plane.fleet.detach(other.id);
      other.behaviour = () => undefined;
    }
  });
});
