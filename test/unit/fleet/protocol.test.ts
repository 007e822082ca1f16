/** What crosses NATS is checked before it is believed: malformed or hostile messages are refused, never thrown on. */
import { describe, expect, it } from 'vitest';
import { decodeAck, decodeHeartbeat, decodeHeartbeatReply, decodeLogEntry, decodeTrafficReport, edgeOfSubject, edgeSubject, encode, featuresNeeded, lackingFeatures } from '../../../src/fleet/nats/protocol.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('fleet protocol', () => {
  it('takes the edge id from the subject, and only a well-formed one', () => {
    expect(edgeOfSubject(edgeSubject('edge-fra-1', 'ack'))).toBe('edge-fra-1');
    for (const subject of ['mooncdn.edge.Edge.ack', 'mooncdn.edge..ack', 'mooncdn.edge.a.b.ack', 'other.edge.a.ack', 'mooncdn.edge.-x.ack']) {
      expect(edgeOfSubject(subject), subject).toBeUndefined();
    }
  });

  it('decodes every kind of change, and says why a change is not one', () => {
    const purge = { kind: 'purge', endpointId: 'e', target: { files: ['/a'], directories: ['/d/'], patterns: ['/img/*.png'], tags: ['t'] } };
    expect(decodeLogEntry(encode(purge))).toEqual(purge);
    const soft = { kind: 'purge', endpointId: 'e', target: { ...purge.target, soft: { files: [], directories: [], patterns: [], tags: ['s'] } } };
    expect(decodeLogEntry(encode(soft))).toEqual(soft);
    // From a control plane older than tags: no tags is none.
    const older = { kind: 'purge', endpointId: 'e', target: { files: ['/a'], directories: [], patterns: [] } };
    expect(decodeLogEntry(encode(older))).toEqual({ ...older, target: { ...older.target, tags: [] } });
    expect(decodeLogEntry(encode({ kind: 'preload', endpointId: 'e', target: { path: '/a', query: '', extra: 1 } }))).toEqual({ kind: 'preload', endpointId: 'e', target: { path: '/a', query: '' } });
    expect(decodeLogEntry(encode({ kind: 'remove', endpointId: 'e' }))).toEqual({ kind: 'remove', endpointId: 'e' });
    expect(decodeLogEntry(bytes('not json'))).toEqual({ problem: 'the change is not a JSON object with a kind' });
    expect(decodeLogEntry(bytes('[1]'))).toHaveProperty('problem');
    expect(decodeLogEntry(encode({ kind: 'purge', endpointId: 'e', target: { files: [1], directories: [], patterns: [] } }))).toHaveProperty('problem');
    expect(decodeLogEntry(encode({ kind: 'purge', endpointId: 'e', target: { files: [], directories: [] } }))).toHaveProperty('problem');
    expect(decodeLogEntry(encode({ kind: 'purge', endpointId: 'e', target: { files: [], directories: [], patterns: [], tags: [7] } }))).toHaveProperty('problem');
    expect(decodeLogEntry(encode({ kind: 'purge', endpointId: 'e', target: { files: [], directories: [], patterns: [], soft: { files: [] } } }))).toEqual({
      problem: 'the soft part of the purge has no lists of files, directories, patterns and tags',
    });
    expect(decodeLogEntry(encode({ kind: 'apply', config: { endpointId: 'e' } }))).toEqual({ problem: 'the endpoint configuration is incomplete' });
    expect(decodeLogEntry(encode({ kind: 'soft-purge' }))).toEqual({ problem: 'this edge does not know changes of kind "soft-purge" (is it older than the control plane?)' });
  });

  it('refuses heartbeats, acks, answers and traffic reports that are not what they claim', () => {
    expect(decodeHeartbeat(encode({ applied: 3, state: 'serving', address: 'h:1', refused: [{ seq: 2, applied: 2, error: 'no' }], features: ['purge-tags', 'from-the-future'] }))).toEqual({
      applied: 3,
      state: 'serving',
      address: 'h:1',
      refused: [{ seq: 2, applied: 2, error: 'no' }],
      features: ['purge-tags', 'from-the-future'],
    });
    // An edge older than features names none; a malformed list counts as none, the heartbeat still counts.
    expect(decodeHeartbeat(encode({ applied: 3, state: 'serving', address: 'h:1' }))).toMatchObject({ refused: [], features: [] });
    expect(decodeHeartbeat(encode({ applied: 3, state: 'serving', address: 'h:1', features: 'purge-tags' }))?.features).toEqual([]);
    expect(decodeHeartbeat(encode({ applied: 3, state: 'serving', address: 'h:1', features: ['purge-tags', 'two words', 'x'.repeat(65)] }))?.features).toEqual(['purge-tags']);
    for (const beat of [{ applied: -1, state: 'serving', address: 'h' }, { applied: 1.5, state: 'serving', address: 'h' }, { applied: 1, state: 'bored', address: 'h' }, { applied: 1, state: 'serving', address: 'h'.repeat(301) }, { applied: 1, state: 'serving', address: 'h', refused: [{ seq: 'x' }] }]) {
      expect(decodeHeartbeat(encode(beat)), JSON.stringify(beat).slice(0, 80)).toBeUndefined();
    }
    expect(decodeAck(encode({ seq: 4, applied: 4, error: 'x'.repeat(5000) }))?.error).toHaveLength(1000);
    expect(decodeAck(encode({ seq: 4, applied: 4, error: 7 }))).toBeUndefined();
    expect(decodeAck(bytes('{"seq":1e400,"applied":1}'))).toBeUndefined();
    expect(decodeHeartbeatReply(encode({ logSeq: 9, leaseMs: 0 }))).toBeUndefined();
    expect(decodeHeartbeatReply(encode({ logSeq: 9, leaseMs: 1000 }))).toEqual({ logSeq: 9, leaseMs: 1000 });
    expect(decodeTrafficReport(encode({ samples: [{ endpointId: 'e', bucketStart: 0, cdnBytes: 1, originBytes: 2 }] }))?.samples).toHaveLength(1);
    expect(decodeTrafficReport(encode({ samples: [{ endpointId: 'e', bucketStart: 0, cdnBytes: -1, originBytes: 2 }] }))).toBeUndefined();
    expect(decodeTrafficReport(encode({ samples: [null] }))).toBeUndefined();
    expect(decodeTrafficReport(bytes('{"samples":{"__proto__":1}}'))).toBeUndefined();
  });

  it('says which features a purge needs of an edge, and what to do about an edge without them', () => {
    const none = { files: [], directories: [], patterns: [] };
    expect(featuresNeeded({ ...none, files: ['/a'], directories: ['/d/'], tags: [] })).toEqual([]);
    expect(featuresNeeded({ ...none, tags: ['red'] })).toEqual(['purge-tags']);
    expect(featuresNeeded({ ...none, soft: { ...none, files: ['/a'] } })).toEqual(['purge-soft']);
    expect(featuresNeeded({ ...none, soft: { ...none, tags: ['red'] } })).toEqual(['purge-tags', 'purge-soft']);
    expect(featuresNeeded({ ...none, patterns: ['/img/*.png'] })).toEqual(['purge-wildcards']);
    expect(lackingFeatures(['purge-tags', 'purge-soft'])).toBe(
      'cannot purge by tag (Tags) or purge softly (Soft): its mooncdn is older than that (its heartbeats do not name "purge-tags", "purge-soft"); upgrade mooncdn on that edge to the control plane\'s version',
    );
  });
});
