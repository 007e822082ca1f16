/**
 * The IPC messages between an edge primary and its workers (edge/workers/protocol.ts): what
 * each side accepts, and that a message of the wrong shape is refused whole.
 */
import { describe, expect, it } from 'vitest';
import { decodeToPrimary, decodeToWorker } from '../../../src/edge/workers/protocol.js';

const config = { endpointId: 'ep-1', customDomain: 'a.example.com', enabled: true, host: 'origin', originAddresses: ['127.0.0.1'], cachePolicy: {}, accessControl: {}, certificate: null };
const start = {
  t: 'start',
  slot: 1,
  edgeId: 'edge-a',
  settings: { cacheBytes: 1 << 20, fillBytes: 1 << 20, maxObjectBytes: 1000 },
  host: '127.0.0.1',
  httpPort: 0,
  httpsPort: 8443,
  dropDisk: true,
  logLevel: 'info',
  logFormat: 'json',
  configs: [config],
  lease: { forMs: null, sentAt: 1_700_000_000_000 },
  denied: [{ address: '127.0.0.1', port: 7070 }],
};

describe('messages to a worker', () => {
  it('accepts every kind the primary sends', () => {
    expect(decodeToWorker(start)).toEqual(start);
    expect(decodeToWorker({ t: 'call', id: 3, op: 'apply', config })).toEqual({ t: 'call', id: 3, op: 'apply', config });
    expect(decodeToWorker({ t: 'call', id: 4, op: 'remove', endpointId: 'ep-1' })).toEqual({ t: 'call', id: 4, op: 'remove', endpointId: 'ep-1' });
    expect(decodeToWorker({ t: 'call', id: 5, op: 'preload', endpointId: 'ep-1', target: { path: '/a', query: 'v=1' } })).toMatchObject({ op: 'preload', target: { path: '/a', query: 'v=1' } });
    expect(decodeToWorker({ t: 'call', id: 6, op: 'drop' })).toEqual({ t: 'call', id: 6, op: 'drop' });
    expect(decodeToWorker({ t: 'lease', forMs: 1500, sentAt: 1 })).toEqual({ t: 'lease', forMs: 1500, sentAt: 1 });
    expect(decodeToWorker({ t: 'deny', address: '::1', port: 80 })).toEqual({ t: 'deny', address: '::1', port: 80 });
    expect(decodeToWorker({ t: 'traffic-done', id: 2, error: 'store down' })).toEqual({ t: 'traffic-done', id: 2, error: 'store down' });
    expect(decodeToWorker({ t: 'stop' })).toEqual({ t: 'stop' });
    expect(decodeToWorker({ t: 'invalidate', endpointId: 'ep-1', targets: [{ path: '/a', query: '' }] })).toEqual({ t: 'invalidate', endpointId: 'ep-1', targets: [{ path: '/a', query: '' }] });
  });

  it('passes a purge target through whole, tags and its soft part included', () => {
    const target = { files: ['/a'], directories: ['/d/'], patterns: ['/x/*'], tags: ['t1'], soft: { files: [], directories: [], patterns: [], tags: ['t2'] } };
    expect(decodeToWorker({ t: 'call', id: 1, op: 'purge', endpointId: 'ep-1', target })).toEqual({ t: 'call', id: 1, op: 'purge', endpointId: 'ep-1', target });
  });

  it.each([
    ['not an object', 'stop'],
    ['an array', [{ t: 'stop' }]],
    ['null', null],
    ['an unknown type', { t: 'exec', command: 'rm -rf /' }],
    ['a call with no id', { t: 'call', op: 'drop' }],
    ['a call with a negative id', { t: 'call', id: -1, op: 'drop' }],
    ['an unknown call', { t: 'call', id: 1, op: 'shutdown' }],
    ['a purge whose lists are not lists of text', { t: 'call', id: 1, op: 'purge', endpointId: 'ep-1', target: { files: [1], directories: [], patterns: [] } }],
    ['a purge whose tags are not a list of text', { t: 'call', id: 1, op: 'purge', endpointId: 'ep-1', target: { files: [], directories: [], patterns: [], tags: 'a' } }],
    ['a purge whose soft part is not a purge', { t: 'call', id: 1, op: 'purge', endpointId: 'ep-1', target: { files: [], directories: [], patterns: [], soft: { files: [] } } }],
    ['a purge with no patterns', { t: 'call', id: 1, op: 'purge', endpointId: 'ep-1', target: { files: [], directories: [] } }],
    ['a purge with no endpoint', { t: 'call', id: 1, op: 'purge', target: { files: [], directories: [], patterns: [] } }],
    ['a configuration with no domain', { t: 'call', id: 1, op: 'apply', config: { endpointId: 'ep-1' } }],
    ['a preload with no path', { t: 'call', id: 1, op: 'preload', endpointId: 'ep-1', target: { query: '' } }],
    ['a lease that is not a number', { t: 'lease', forMs: 'forever', sentAt: 1 }],
    ['a lease of Infinity sent as text', { t: 'lease', forMs: 'Infinity', sentAt: 1 }],
    ['a lease with no time sent', { t: 'lease', forMs: 10 }],
    ['a port out of range', { t: 'deny', address: '127.0.0.1', port: 70000 }],
    ['a start with a bad slot', { ...start, slot: 'one' }],
    ['a start with a configuration of the wrong shape', { ...start, configs: [config, 'ep-2'] }],
    ['a start with no budgets', { ...start, settings: { maxObjectBytes: 1 } }],
    ['a start whose lease is missing', { ...start, lease: undefined }],
    ['a start whose port is text', { ...start, httpPort: '80' }],
    ['a traffic answer whose error is not text', { t: 'traffic-done', id: 1, error: { stack: 'x' } }],
    ['an invalidation whose targets are not paths', { t: 'invalidate', endpointId: 'ep-1', targets: ['/a'] }],
  ])('refuses %s', (_what, message) => {
    expect(decodeToWorker(message)).toBeUndefined();
  });

  it('never lets a negative lease through', () => {
    expect(decodeToWorker({ t: 'lease', forMs: -5, sentAt: 1 })).toEqual({ t: 'lease', forMs: 0, sentAt: 1 });
  });
});

describe('messages to the primary', () => {
  it('accepts every kind a worker sends', () => {
    expect(decodeToPrimary({ t: 'hello' })).toEqual({ t: 'hello' });
    expect(decodeToPrimary({ t: 'listening', httpPort: 8080, httpsPort: 8443 })).toEqual({ t: 'listening', httpPort: 8080, httpsPort: 8443 });
    expect(decodeToPrimary({ t: 'start-failed', message: 'port in use' })).toEqual({ t: 'start-failed', message: 'port in use' });
    expect(decodeToPrimary({ t: 'done', id: 1 })).toEqual({ t: 'done', id: 1 });
    expect(decodeToPrimary({ t: 'done', id: 2, error: 'the origin answered 404 Not Found' })).toEqual({ t: 'done', id: 2, error: 'the origin answered 404 Not Found' });
    expect(decodeToPrimary({ t: 'done', id: 3, metrics: [{ name: 'x' }] })).toEqual({ t: 'done', id: 3, metrics: [{ name: 'x' }] });
    const samples = [{ endpointId: 'ep-1', bucketStart: 1_700_000_100_000, cdnBytes: 10, originBytes: 0 }];
    expect(decodeToPrimary({ t: 'traffic', id: 9, samples })).toEqual({ t: 'traffic', id: 9, samples });
    expect(decodeToPrimary({ t: 'invalidate', endpointId: 'ep-1', targets: [{ path: '/a', query: 'q=1' }] })).toEqual({ t: 'invalidate', endpointId: 'ep-1', targets: [{ path: '/a', query: 'q=1' }] });
  });

  it('keeps only the fields of a traffic sample, and cuts long errors', () => {
    const decoded = decodeToPrimary({ t: 'traffic', id: 1, samples: [{ endpointId: 'ep-1', bucketStart: 0, cdnBytes: 1, originBytes: 2, extra: 'x' }] });
    expect(decoded).toEqual({ t: 'traffic', id: 1, samples: [{ endpointId: 'ep-1', bucketStart: 0, cdnBytes: 1, originBytes: 2 }] });
    const done = decodeToPrimary({ t: 'done', id: 1, error: 'e'.repeat(5000) });
    expect(done && 'error' in done && done.error?.length).toBe(1000);
  });

  it.each([
    ['not an object', 42],
    ['an unknown type', { t: 'become-primary' }],
    ['listening on port 0', { t: 'listening', httpPort: 0, httpsPort: 8443 }],
    ['a done with no id', { t: 'done' }],
    ['a done whose id is a fraction', { t: 'done', id: 1.5 }],
    ['a done whose metrics are not a list', { t: 'done', id: 1, metrics: 'all' }],
    ['traffic with negative bytes', { t: 'traffic', id: 1, samples: [{ endpointId: 'ep-1', bucketStart: 0, cdnBytes: -1, originBytes: 0 }] }],
    ['traffic with a sample of the wrong shape', { t: 'traffic', id: 1, samples: ['ep-1'] }],
    ['traffic whose samples are not a list', { t: 'traffic', id: 1, samples: {} }],
    ['a start failure with no message', { t: 'start-failed' }],
    ['an invalidation with no endpoint', { t: 'invalidate', targets: [] }],
  ])('refuses %s', (_what, message) => {
    expect(decodeToPrimary(message)).toBeUndefined();
  });
});
