/**
 * When an edge's part in a purge or preload is recorded while it runs: once the edge has answered
 * every call of the run, or at its first failure; never twice with the same status; a write that
 * fails is logged and does not fail the run.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EdgeProgress } from '../../../src/operations/edge-progress.js';
import type { EdgeOutcomeRecord } from '../../../src/store/repositories/edges.js';

/** The one repository call EdgeProgress makes, recorded (the store's own tests cover the SQL). */
function recorder(fail = false) {
  const writes: Array<{ operationIds: readonly string[]; outcome: EdgeOutcomeRecord }> = [];
  const edges = {
    recordProgress: async (operationIds: readonly string[], outcome: EdgeOutcomeRecord) => {
      if (fail) throw new Error('store down');
      writes.push({ operationIds, outcome });
    },
  };
  return { writes, store: { edges } as never };
}

const log = pino({ level: 'silent' });

describe('EdgeProgress', () => {
  it('records an edge once it has answered every call, for every operation of the group', async () => {
    const { writes, store } = recorder();
    const progress = new EdgeProgress(store, ['op-1', 'op-2'], 2, log);
    progress.onOutcome({ edgeId: 'a' });
    expect(writes).toEqual([]);
    progress.onOutcome({ edgeId: 'b', fenced: true });
    progress.onOutcome({ edgeId: 'a' });
    await progress.settled();
    expect(writes).toEqual([{ operationIds: ['op-1', 'op-2'], outcome: { edgeId: 'a', status: 'Succeeded', message: null } }]);
    progress.onOutcome({ edgeId: 'b' });
    await progress.settled();
    expect(writes.at(-1)!.outcome).toMatchObject({ edgeId: 'b', status: 'Fenced' });
  });

  it('records a failure at once, and nothing more for that edge', async () => {
    const { writes, store } = recorder();
    const progress = new EdgeProgress(store, ['op-1'], 3, log);
    progress.onOutcome({ edgeId: 'a', error: 'origin answered 500' });
    progress.onOutcome({ edgeId: 'a' });
    progress.onOutcome({ edgeId: 'a', error: 'again' });
    await progress.settled();
    expect(writes).toEqual([{ operationIds: ['op-1'], outcome: { edgeId: 'a', status: 'Failed', message: 'origin answered 500' } }]);
  });

  it('survives a store that cannot write', async () => {
    const { store } = recorder(true);
    const progress = new EdgeProgress(store, ['op-1'], 1, log);
    expect(() => progress.onOutcome({ edgeId: 'a' })).not.toThrow();
    await expect(progress.settled()).resolves.toBeUndefined();
  });
});
