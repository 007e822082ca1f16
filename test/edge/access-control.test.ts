/**
 * Access control at the edge: ForbiddenIps (addresses and CIDR ranges, IPv4 and IPv6) and
 * referer control on PathPatterns. A refused request never reaches the origin, and cached
 * content is refused as well.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_CONTROL, type AccessControlPolicy } from '../../src/domain/access-control.js';
import { listenEdge } from '../../src/edge/edge-servers.js';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin, track } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

async function edgeWith(accessControl: AccessControlPolicy) {
  const origin = await startOrigin();
  origin.otherwise({ body: 'content' });
  const edge = await startEdge();
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES, accessControl });
  return { origin, edge };
}

function referers(type: 'AllowList' | 'BlockList', list: string[], pathPatterns: string[] = []): AccessControlPolicy {
  return { forbiddenIps: [], refererControl: { enabled: true, type, referers: list, pathPatterns } };
}

describe('ForbiddenIps', () => {
  it('refuses a forbidden IPv4 address with 403, even for cached content', async () => {
    const { origin, edge } = await edgeWith(DEFAULT_ACCESS_CONTROL);
    await edge.get(DOMAIN, '/a');
    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      cachePolicy: CACHE_ALL_RULES,
      accessControl: { ...DEFAULT_ACCESS_CONTROL, forbiddenIps: ['192.0.2.1', '127.0.0.1'] },
    });

    const refused = await edge.get(DOMAIN, '/a');
    expect([refused.status, refused.text, refused.headers['x-cache']]).toEqual([403, 'Access from your address is not allowed.\n', 'MISS']);
    expect((await edge.get(DOMAIN, '/b')).status).toBe(403);
    expect(origin.count('/b')).toBe(0);
  });

  it('refuses every address in a forbidden CIDR range', async () => {
    const { edge } = await edgeWith({ ...DEFAULT_ACCESS_CONTROL, forbiddenIps: ['127.0.0.0/8'] });
    expect((await edge.get(DOMAIN, '/a')).status).toBe(403);
  });

  it('lets through addresses outside the list and ranges', async () => {
    const { edge } = await edgeWith({ ...DEFAULT_ACCESS_CONTROL, forbiddenIps: ['10.0.0.0/8', '127.0.0.2', '::1', '2001:db8::/32'] });
    const response = await edge.get(DOMAIN, '/a');
    expect([response.status, response.text]).toEqual([200, 'content']);
  });

  it('refuses a forbidden IPv6 client, by address and by range', async () => {
    const { origin, edge } = await edgeWith({ ...DEFAULT_ACCESS_CONTROL, forbiddenIps: ['::1'] });
    const v6 = track(await listenEdge(edge.node, '::1', 0, 0));
    expect(await statusOverIpv6(v6.httpPort)).toBe(403);

    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      accessControl: { ...DEFAULT_ACCESS_CONTROL, forbiddenIps: ['::/120'] },
    });
    expect(await statusOverIpv6(v6.httpPort)).toBe(403);
    // The IPv4 client is not in an IPv6 range.
    expect((await edge.get(DOMAIN, '/a')).status).toBe(200);
  });
});

function statusOverIpv6(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '::1', port, path: '/a', headers: { host: DOMAIN }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('referer control', () => {
  it('with an AllowList lets only matching referers through', async () => {
    const { origin, edge } = await edgeWith(referers('AllowList', ['*.good.example', 'good.example']));
    const from = async (referer: string) => (await edge.get(DOMAIN, '/a', { headers: { referer } })).status;

    expect(await from('https://good.example/page')).toBe(200);
    expect(await from('https://www.good.example/page')).toBe(200);
    expect(await from('https://evil.example/page')).toBe(403);
    expect(await from('https://good.example.evil.example/')).toBe(403);
    const refused = await edge.get(DOMAIN, '/b', { headers: { referer: 'https://evil.example/' } });
    expect([refused.status, refused.text]).toEqual([403, 'Access from this referring page is not allowed.\n']);
    expect(origin.count('/b')).toBe(0);
  });

  it('with a BlockList stops only matching referers', async () => {
    const { edge } = await edgeWith(referers('BlockList', ['*.evil.example']));
    const from = async (referer: string) => (await edge.get(DOMAIN, '/a', { headers: { referer } })).status;
    expect(await from('https://cdn.evil.example/x')).toBe(403);
    expect(await from('https://good.example/x')).toBe(200);
  });

  it('allows a request with no Referer, in both modes', async () => {
    for (const type of ['AllowList', 'BlockList'] as const) {
      const { edge } = await edgeWith(referers(type, ['nothing.example']));
      expect((await edge.get(DOMAIN, '/a')).status).toBe(200);
    }
  });

  it('applies only to paths matching PathPatterns', async () => {
    const { edge } = await edgeWith(referers('AllowList', ['good.example'], ['/img/*', '*.mp4']));
    const evil = { headers: { referer: 'https://evil.example/' } };
    expect((await edge.get(DOMAIN, '/img/a.png', evil)).status).toBe(403);
    expect((await edge.get(DOMAIN, '/video/b.mp4', evil)).status).toBe(403);
    expect((await edge.get(DOMAIN, '/css/site.css', evil)).status).toBe(200);
  });

  it('checks the path the origin serves, whatever dot segments, backslashes, doubled or encoded slashes the request has', async () => {
    const { origin, edge } = await edgeWith(referers('AllowList', ['good.example'], ['/img/*']));
    const evil = { headers: { referer: 'https://evil.example/' } };
    for (const path of ['/x/../img/a.png', '/img/./a.png', '/x/%2e%2e/img/a.png', '/img\\a.png', '//img/a.png', '/img//a.png', '/img%2Fa.png', '/img%2fa.png']) {
      expect((await edge.get(DOMAIN, path, evil)).status, path).toBe(403);
    }
    expect(origin.requests).toHaveLength(0);
  });

  it('refuses a cached object to a wrong referer', async () => {
    const { edge } = await edgeWith(referers('BlockList', ['evil.example']));
    expect((await edge.get(DOMAIN, '/a')).status).toBe(200);
    expect((await edge.get(DOMAIN, '/a')).headers['x-cache']).toBe('HIT');
    expect((await edge.get(DOMAIN, '/a', { headers: { referer: 'http://evil.example/' } })).status).toBe(403);
  });

  it('lets the pages of a site named by URL through an AllowList', async () => {
    const { edge } = await edgeWith(referers('AllowList', ['http://ok.test']));
    const from = async (referer: string) => (await edge.get(DOMAIN, '/a', { headers: { referer } })).status;
    expect(await from('http://ok.test/page')).toBe(200);
    expect(await from('http://ok.test.evil.test/page')).toBe(403);
  });

  it('answers a long path under many-star patterns, and refuses a target longer than 8 KiB', async () => {
    const { edge } = await edgeWith(referers('AllowList', ['*a*a*a*a*a*a*a*a*a*a*b'], ['/*/*/*.jpg']));
    const longPath = `/${'a/'.repeat(3_000)}x.png`;
    const evil = { headers: { referer: `https://${'a'.repeat(36)}/` } };
    expect((await edge.get(DOMAIN, longPath, evil)).status).toBe(200);
    expect((await edge.get(DOMAIN, `/a/b/${'c'.repeat(6_000)}.jpg`, evil)).status).toBe(403);
    const tooLong = await edge.get(DOMAIN, `/${'c'.repeat(8_200)}`);
    expect([tooLong.status, tooLong.text]).toEqual([414, 'The request target is longer than 8192 bytes.\n']);
  });
});
