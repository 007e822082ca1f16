/**
 * The edges' failures as the one sentence an operation's Message ends with: the handlers put
 * the period after it, so an edge's own message ending with one must not give two
 * ("...host name)..", seen on a CreateEndpoint refused by an edge's origin policy).
 */
import { describe, expect, it } from 'vitest';
import { describeFailures } from '../../../src/operations/fleet.js';

describe('describeFailures', () => {
  it('is undefined when every edge applied the change (fenced edges count as done)', () => {
    expect(describeFailures([{ edgeId: 'a' }, { edgeId: 'b', fenced: true }])).toBeUndefined();
  });

  it('names each failed edge with its message, without the period the message ended with', () => {
    const failure = describeFailures([
      { edgeId: 'edge-1', error: 'Origin address "127.0.0.1:8081" is denied; give a public address (or host name).' },
      { edgeId: 'edge-2' },
      { edgeId: 'edge-3', error: 'no answer within 30000 ms' },
    ]);
    expect(failure).toBe('edge "edge-1": Origin address "127.0.0.1:8081" is denied; give a public address (or host name); edge "edge-3": no answer within 30000 ms');
    expect(`The new configuration did not reach every edge: ${failure}.`).not.toMatch(/\.\.$/);
  });
});
