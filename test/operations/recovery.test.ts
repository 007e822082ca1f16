/**
 * An accepted operation always ends: one left Processing by a dead worker is run again when
 * its lease lapses, one whose handler keeps throwing is failed after the attempt limit.
 * (The kill -9 of a real process is in test/e2e.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
afterEach(() => harness?.close());

describe('recovery', () => {
  it('runs again an operation a dead worker left Processing, once its lease lapses', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge] });
    const id = await harness.createEndpoint('cdn.example.com');
    await harness.plane.engine.stop();

    const accepted = await harness.sub('POST', `/endpoints/${id}/purges`, { body: { Files: ['http://cdn.example.com/a.png'] } });
    const operationId = accepted.body.AsyncInfo.TaskTrackId;
    // Another worker claims it and dies: the operation is Processing under a lease nobody renews.
    const now = harness.clock.now();
    const [claimed] = await harness.store.transaction((tx) => tx.operations.claim('worker-dead', now, now + 30_000, 1));
    expect(claimed!.id).toBe(operationId);

    const engine = harness.plane.engine;
    engine.start();
    // The engine is claiming (another endpoint's creation ends) but leaves the leased purge alone.
    await harness.createEndpoint('other.example.com');
    expect((await harness.store.operations.get(operationId))!.status).toBe('Processing');
    expect(edge.calls.filter((c) => c.kind === 'purge')).toHaveLength(0);

    harness.clock.advance(30_001);
    engine.notify();
    const operation = await harness.waitForOperation(operationId);
    expect(operation).toMatchObject({ status: 'Succeeded', attempts: 2 });
    expect(edge.calls.filter((c) => c.kind === 'purge')).toHaveLength(1);
  });

  it('retries an operation whose handler throws, and fails it after the attempt limit', async () => {
    const edge = new ScriptedEdge();
    harness = await startHarness({ edges: [edge], maxAttempts: 2 });
    const id = await harness.createEndpoint('cdn.example.com');
    // The item table breaks under the handler: a store error, not a verdict on the purge.
    const store = harness.store.operations as unknown as { listItems: (id: string) => Promise<unknown> };
    const original = store.listItems.bind(store);
    store.listItems = async () => {
      throw new Error('store unavailable');
    };
    const accepted = await harness.sub('POST', `/endpoints/${id}/purges`, { body: { Files: ['http://cdn.example.com/a.png'] } });
    const operationId = accepted.body.AsyncInfo.TaskTrackId;
    // Each failed attempt sets a retry time up to a minute ahead: move the clock past it until the operation ends.
    await vi.waitFor(
      async () => {
        harness.clock.advance(61_000);
        harness.plane.engine.notify();
        expect((await harness.store.operations.get(operationId))!.status).toBe('Failed');
      },
      { timeout: 10_000, interval: 20 },
    );
    const operation = (await harness.store.operations.get(operationId))!;
    store.listItems = original;
    expect(operation.status).toBe('Failed');
    expect(operation.message).toContain('stopped after 2 attempts');
  });
});
