/** How operators see an edge: its own word while its lease runs, fenced once it has run out. */
import { describe, expect, it } from 'vitest';
import { fleetView } from '../../../src/domain/fleet-view.js';
import { edgeStatuses } from '../../../src/operations/fleet.js';

const row = { id: 'e1', address: 'h:80', state: 'serving', appliedSeq: 7, logSeq: 10, features: ['purge-tags'], lastHeartbeat: 1_000, leaseUntil: 11_000 };

describe('fleetView', () => {
  it('reports state, lag and heartbeat age while the lease runs', () => {
    expect(fleetView(2_500, [row])).toEqual([{ id: 'e1', address: 'h:80', state: 'serving', appliedSeq: 7, lag: 3, features: ['purge-tags'], lastHeartbeat: 1_000, heartbeatAgeMs: 1_500, leaseUntil: 11_000 }]);
    expect(fleetView(2_500, [{ ...row, state: 'syncing' }])[0]!.state).toBe('syncing');
  });

  it('says fenced once the lease has run out, whatever the edge last said', () => {
    expect(fleetView(11_000, [row])[0]!.state).toBe('fenced');
    expect(fleetView(2_000, [{ ...row, state: 'nonsense' }])[0]!.state).toBe('fenced');
    expect(fleetView(2_000, [{ ...row, logSeq: 2 }])[0]!.lag).toBe(0);
  });
});

describe('edgeStatuses', () => {
  it('gives each edge its first failure, else Fenced if it was, else Succeeded', () => {
    expect(
      edgeStatuses([
        { edgeId: 'b' },
        { edgeId: 'a', fenced: true },
        { edgeId: 'c' },
        { edgeId: 'c', error: 'origin 404' },
        { edgeId: 'c', error: 'later' },
        { edgeId: 'b' },
      ]),
    ).toEqual([
      { edgeId: 'a', status: 'Fenced', message: expect.stringMatching(/cut off/) },
      { edgeId: 'b', status: 'Succeeded', message: null },
      { edgeId: 'c', status: 'Failed', message: 'origin 404' },
    ]);
  });
});
