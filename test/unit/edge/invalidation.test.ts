import { describe, expect, it } from 'vitest';
import { invalidatedTargets } from '../../../src/edge/policy/invalidation.js';

const HOST = 'cdn.example.com';

describe('invalidatedTargets (RFC 9111 §4.4)', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'post'])('%s answered 2xx or 3xx invalidates the target URI', (method) => {
    expect(invalidatedTargets(method, 200, HOST, '/items/1?v=2', {})).toEqual([{ path: '/items/1', query: 'v=2' }]);
    expect(invalidatedTargets(method, 303, HOST, '/items/1', {})).toEqual([{ path: '/items/1', query: '' }]);
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'TRACE'])('a safe method (%s) invalidates nothing', (method) => {
    expect(invalidatedTargets(method, 200, HOST, '/a', {})).toEqual([]);
  });

  it.each([100, 400, 404, 500, 503])('an error or interim answer (%i) invalidates nothing', (status) => {
    expect(invalidatedTargets('POST', status, HOST, '/a', {})).toEqual([]);
  });

  it('adds Location and Content-Location on the same host, relative or absolute, once each', () => {
    const targets = invalidatedTargets('POST', 201, HOST, '/items', {
      location: '/items/7',
      'content-location': `https://CDN.example.com/items/7/../list?page=1`,
    });
    expect(targets).toEqual([
      { path: '/items', query: '' },
      { path: '/items/7', query: '' },
      { path: '/items/list', query: 'page=1' },
    ]);
    expect(invalidatedTargets('PUT', 200, HOST, '/a', { location: '/a' })).toEqual([{ path: '/a', query: '' }]);
  });

  it('leaves another host alone, and ignores a Location that is not a URL', () => {
    expect(invalidatedTargets('POST', 201, HOST, '/a', { location: 'https://other.example.com/b', 'content-location': 'http://[bad' })).toEqual([
      { path: '/a', query: '' },
    ]);
  });
});
