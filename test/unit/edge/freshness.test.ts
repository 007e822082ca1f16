import { describe, expect, it } from 'vitest';
import { type CachePolicyRules, type CacheRule, DEFAULT_CACHE_POLICY } from '../../../src/domain/cache-policy.js';
import { freshnessFor, type Headers, parseCacheControl } from '../../../src/edge/policy/freshness.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const httpDate = (ms: number) => new Date(ms).toUTCString();
const DATE = httpDate(NOW);

const policy = (overrides: Partial<CachePolicyRules> = {}): CachePolicyRules => ({ ...DEFAULT_CACHE_POLICY, ...overrides });
const dirRule = (ttlSeconds: number, dir = '/static/'): CacheRule => ({ type: 'Dir', items: [dir], ttlSeconds });

const CONTEXT = { requestTime: NOW, responseTime: NOW, negativeTtlSeconds: 10 };

const decide = (headers: Headers, options: { status?: number; path?: string; policy?: CachePolicyRules; context?: Partial<typeof CONTEXT> } = {}) =>
  freshnessFor(options.status ?? 200, headers, options.path ?? '/static/a.js', options.policy ?? policy(), { ...CONTEXT, ...options.context });
const ttl = (headers: Headers, options: Parameters<typeof decide>[1] = {}) => decide(headers, options).ttlSeconds;

describe('parseCacheControl (RFC 9111 §5.2)', () => {
  it('reads the directives a shared cache acts on, case-insensitively', () => {
    expect(parseCacheControl('Public, Max-Age=60, S-MAXAGE=120')).toEqual({
      noStore: false,
      noCache: false,
      private: false,
      mustRevalidate: false,
      maxAge: 60,
      sMaxAge: 120,
      staleWhileRevalidate: undefined,
      staleIfError: undefined,
    });
    expect(parseCacheControl('no-store, no-cache, private')).toMatchObject({ noStore: true, noCache: true, private: true });
  });

  it('accepts a quoted delta-seconds and joins repeated header lines', () => {
    expect(parseCacheControl('max-age="30"').maxAge).toBe(30);
    expect(parseCacheControl(['public', 'max-age=15']).maxAge).toBe(15);
  });

  it('§4.2.1 reads a max-age that is not delta-seconds as stale (0)', () => {
    expect(parseCacheControl('max-age=-1').maxAge).toBe(0);
    expect(parseCacheControl('max-age=1.5').maxAge).toBe(0);
    expect(parseCacheControl('max-age').maxAge).toBe(0);
    expect(parseCacheControl('max-age=""').maxAge).toBe(0);
    expect(parseCacheControl('max-age=100junk').maxAge).toBe(0);
  });

  it('§1.2.2 caps delta-seconds at 2147483648', () => {
    expect(parseCacheControl('max-age=99999999999999999999').maxAge).toBe(2_147_483_648);
  });

  it('§4.2.1 a repeated directive keeps its first value, on one line or across lines', () => {
    expect(parseCacheControl('max-age=1, MAX-AGE=3600').maxAge).toBe(1);
    expect(parseCacheControl(['max-age=3600', 'max-age=1']).maxAge).toBe(3600);
  });

  it('does not split a quoted value at its commas, and reads escapes in it', () => {
    expect(parseCacheControl('no-cache="set-cookie, x-a", max-age=60')).toMatchObject({ noCache: true, maxAge: 60 });
    expect(parseCacheControl('max-age=7, x-ext="a\\"b, max-age=1"').maxAge).toBe(7);
  });

  it('reads must-revalidate and proxy-revalidate', () => {
    expect(parseCacheControl('must-revalidate').mustRevalidate).toBe(true);
    expect(parseCacheControl('Proxy-Revalidate').mustRevalidate).toBe(true);
    expect(parseCacheControl('max-age=1').mustRevalidate).toBe(false);
  });

  it('treats an absent header as no directives', () => {
    expect(parseCacheControl(undefined)).toEqual({ noStore: false, noCache: false, private: false, mustRevalidate: false, maxAge: undefined, sMaxAge: undefined, staleWhileRevalidate: undefined, staleIfError: undefined });
  });
});

describe('freshnessFor: explicit freshness from the origin', () => {
  it('§5.2.2.1 max-age gives the TTL', () => {
    expect(ttl({ 'cache-control': 'max-age=300' })).toBe(300);
  });

  it('§5.2.2.10 s-maxage wins over max-age for a shared cache, even when shorter', () => {
    expect(ttl({ 'cache-control': 'max-age=300, s-maxage=30' })).toBe(30);
    expect(ttl({ 'cache-control': 's-maxage=600, max-age=300' })).toBe(600);
  });

  it('§5.3 Expires minus Date when there is no max-age', () => {
    expect(ttl({ date: DATE, expires: httpDate(NOW + 3_600_000) })).toBe(3600);
  });

  it('§5.3 Expires is measured from the origin Date, not from the edge clock; §4.2.3 the apparent age is then taken off', () => {
    const originDate = NOW + 10 * 60_000;
    expect(ttl({ date: httpDate(originDate), expires: httpDate(originDate + 3_600_000) })).toBe(3600);
    const earlier = NOW - 10 * 60_000;
    expect(ttl({ date: httpDate(earlier), expires: httpDate(earlier + 3_600_000) })).toBe(3000);
  });

  it('§5.3 Expires without Date is measured from now', () => {
    expect(ttl({ expires: httpDate(NOW + 120_000) })).toBe(120);
  });

  it('§5.3 an Expires in the past, or an invalid one such as "0", means already stale', () => {
    expect(ttl({ date: DATE, expires: httpDate(NOW - 60_000) })).toBe(0);
    expect(ttl({ date: DATE, expires: '0' })).toBe(0);
  });

  it.each(['-1', 'garbage', '2036-01-01T00:00:00Z', 'Tue, 1 Jan 2036 00:00:00 GMT', 'tue, 01 jan 2036 00:00:00 gmt'])(
    '§5.3 Expires %j, which Date.parse reads as a date, is not an HTTP date: already stale, even under a rule',
    (expires) => {
      expect(ttl({ date: DATE, expires })).toBe(0);
      expect(ttl({ date: DATE, expires }, { policy: policy({ rules: [dirRule(3600)] }) })).toBe(0);
    },
  );

  it('§5.3 the obsolete date formats are valid Expires', () => {
    expect(ttl({ date: 'Sunday, 01-Mar-26 12:00:00 GMT', expires: 'Sun Mar  1 13:00:00 2026' })).toBe(3600);
  });

  it('§5.3 Expires is ignored when s-maxage is present, even an invalid one', () => {
    expect(ttl({ 'cache-control': 's-maxage=30', date: DATE, expires: '0' })).toBe(30);
  });

  it('§5.3 max-age wins over Expires', () => {
    expect(ttl({ 'cache-control': 'max-age=10', date: DATE, expires: httpDate(NOW + 3_600_000) })).toBe(10);
  });

  it('max-age=0 means not cached, even under a rule', () => {
    expect(ttl({ 'cache-control': 'max-age=0' })).toBe(0);
    expect(ttl({ 'cache-control': 'max-age=0' }, { policy: policy({ rules: [dirRule(3600)] }) })).toBe(0);
  });

  it('must-revalidate and proxy-revalidate do not shorten a fresh lifetime (stale copies are never served)', () => {
    expect(ttl({ 'cache-control': 'max-age=60, must-revalidate' })).toBe(60);
    expect(ttl({ 'cache-control': 's-maxage=60, proxy-revalidate' })).toBe(60);
  });

  it('§4.2.3 the age the response already has (Age) is taken off the origin lifetime', () => {
    expect(ttl({ 'cache-control': 'max-age=300', age: '100' })).toBe(200);
    expect(ttl({ 'cache-control': 'max-age=300', age: '400' })).toBe(0);
    expect(ttl({ date: DATE, expires: httpDate(NOW + 3_600_000), age: '600' })).toBe(3000);
  });

  it('the explicit lifetime wins over a matching cache rule unless IgnoreCacheControl', () => {
    const rules = policy({ rules: [dirRule(86_400)] });
    expect(ttl({ 'cache-control': 'max-age=60' }, { policy: rules })).toBe(60);
    expect(ttl({ 'cache-control': 'max-age=0' }, { policy: rules })).toBe(0);
  });
});

describe('freshnessFor: the origin forbids storing (§5.2.2.3, §5.2.2.4, §5.2.2.7)', () => {
  it.each(['no-store', 'no-cache', 'private', 'private, max-age=600', 'no-cache, max-age=600', 'public, no-store, max-age=600',
    'NO-STORE', 'no-cache="set-cookie", max-age=600', 'private="x-user", s-maxage=600', 'max-age=600, no-store'])(
    'Cache-Control %j is not cached, even with a matching rule',
    (cacheControl) => {
      expect(ttl({ 'cache-control': cacheControl }, { policy: policy({ rules: [dirRule(3600)] }) })).toBe(0);
    },
  );

  it('a no-cache response with a validator is stored to be revalidated on every use (§5.2.2.4); without one it is not', () => {
    const withEtag = decide({ 'cache-control': 'no-cache, max-age=600', etag: '"a"' });
    expect([withEtag.ttlSeconds, withEtag.storedToRevalidate]).toEqual([0, true]);
    expect(decide({ 'cache-control': 'no-cache', 'last-modified': 'Sun, 01 Mar 2026 10:00:00 GMT' }).storedToRevalidate).toBe(true);
    expect(decide({ 'cache-control': 'no-cache' }).storedToRevalidate).toBeFalsy();
    expect(decide({ 'cache-control': 'no-cache, no-store', etag: '"a"' }).storedToRevalidate).toBeFalsy();
    expect(decide({ 'cache-control': 'no-cache, private', etag: '"a"' }).storedToRevalidate).toBeFalsy();
  });

  it.each(['no-store', 'no-cache', 'private'])('IgnoreCacheControl lets a matching rule cache a %s response', (cacheControl) => {
    const ignoring = policy({ ignoreCacheControl: true, rules: [dirRule(3600)] });
    expect(ttl({ 'cache-control': cacheControl }, { policy: ignoring })).toBe(3600);
  });

  it('IgnoreCacheControl without a matching rule still does not cache a no-store response', () => {
    const ignoring = policy({ ignoreCacheControl: true, rules: [dirRule(3600, '/other/')] });
    expect(ttl({ 'cache-control': 'no-store' }, { policy: ignoring })).toBe(0);
  });

  it('explains why it is not cached', () => {
    const decision = decide({ 'cache-control': 'no-store' }, { path: '/a' });
    expect(decision.reason).toMatch(/no-store/);
  });
});

describe('freshnessFor: cookies', () => {
  const cookie = { 'set-cookie': ['session=1; Path=/'], 'cache-control': 'max-age=600' };

  it('a response that sets a cookie is not cached', () => {
    expect(ttl(cookie)).toBe(0);
    expect(decide(cookie, { path: '/a' }).reason).toMatch(/cookie/i);
  });

  it('IgnoreCookie allows caching it', () => {
    expect(ttl(cookie, { policy: policy({ ignoreCookie: true }) })).toBe(600);
  });

  it('IgnoreCacheControl does not stand in for IgnoreCookie', () => {
    expect(ttl(cookie, { policy: policy({ ignoreCacheControl: true, rules: [dirRule(3600)] }) })).toBe(0);
  });
});

describe('freshnessFor: cache rules', () => {
  it('a matching rule gives the TTL when the origin says nothing', () => {
    expect(ttl({}, { policy: policy({ rules: [dirRule(1800)] }) })).toBe(1800);
  });

  it('IgnoreCacheControl makes the rule win over the origin max-age, s-maxage and Expires', () => {
    const ignoring = policy({ ignoreCacheControl: true, rules: [dirRule(1800)] });
    expect(ttl({ 'cache-control': 'max-age=60, s-maxage=30' }, { policy: ignoring })).toBe(1800);
    expect(ttl({ date: DATE, expires: httpDate(NOW + 5000) }, { policy: ignoring })).toBe(1800);
  });

  it('a rule TTL of 0 means not cached', () => {
    expect(ttl({}, { policy: policy({ rules: [dirRule(0)] }) })).toBe(0);
    expect(ttl({ 'cache-control': 'max-age=600' }, { policy: policy({ ignoreCacheControl: true, rules: [dirRule(0)] }) })).toBe(0);
  });

  it('a rule TTL of 0 also turns off heuristic freshness', () => {
    const lastModified = httpDate(NOW - 10 * 86_400_000);
    expect(ttl({ date: DATE, 'last-modified': lastModified }, { policy: policy({ rules: [dirRule(0)] }) })).toBe(0);
  });

  it('the most specific rule applies', () => {
    const rules = policy({ rules: [dirRule(100, '/'), dirRule(200, '/static/'), { type: 'FullUri', items: ['/static/a.js'], ttlSeconds: 300 }] });
    expect(ttl({}, { policy: rules })).toBe(300);
    expect(ttl({}, { policy: rules, path: '/static/b.js' })).toBe(200);
    expect(ttl({}, { policy: rules, path: '/b.js' })).toBe(100);
  });
});

describe('freshnessFor: heuristic freshness (§4.2.2)', () => {
  it('is 10% of the time since Last-Modified', () => {
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 10_000_000) })).toBe(1000);
  });

  it('is at most one day', () => {
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 365 * 86_400_000) })).toBe(86_400);
  });

  it('is measured from the origin Date when there is one, else from now', () => {
    const earlyClock = { requestTime: NOW - 1_000_000, responseTime: NOW - 1_000_000 };
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 2_000_000) }, { context: earlyClock })).toBe(200);
    expect(ttl({ 'last-modified': httpDate(NOW - 2_000_000) })).toBe(200);
    expect(ttl({ 'last-modified': httpDate(NOW - 2_000_000) }, { context: earlyClock })).toBe(100);
  });

  it('§4.2.3 the Age the response arrives with is taken off the heuristic lifetime too', () => {
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 10_000_000), age: '400' })).toBe(600);
  });

  it('a rule TTL counts from arrival: Age is not taken off it', () => {
    expect(ttl({ age: '100' }, { policy: policy({ rules: [dirRule(300)] }) })).toBe(300);
  });

  it('does not cache a Last-Modified in the future or an invalid one', () => {
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW + 60_000) })).toBe(0);
    expect(ttl({ date: DATE, 'last-modified': 'yesterday' })).toBe(0);
  });

  it('does not apply when the origin gives explicit freshness', () => {
    expect(ttl({ 'cache-control': 'max-age=5', date: DATE, 'last-modified': httpDate(NOW - 10_000_000) })).toBe(5);
  });

  it('does not apply when a rule matches: the rule wins', () => {
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 10_000_000) }, { policy: policy({ rules: [dirRule(42)] }) })).toBe(42);
  });

  it('nothing at all to go on means not cached', () => {
    expect(ttl({})).toBe(0);
    expect(ttl({ date: DATE })).toBe(0);
  });
});

describe('freshnessFor: Vary', () => {
  it('a response with Vary is cached (as a variant of its request, vary.ts); Vary: * is not, on any line', () => {
    expect(ttl({ vary: 'Accept-Language', 'cache-control': 'max-age=600' })).toBe(600);
    expect(ttl({ vary: 'Accept-Encoding, Cookie', 'cache-control': 'max-age=600' })).toBe(600);
    expect(ttl({ vary: '*', 'cache-control': 'max-age=600' })).toBe(0);
    expect(ttl({ vary: ['Foo', ', *'], 'cache-control': 'max-age=600' })).toBe(0);
    expect(decide({ vary: 'Foo, *', 'cache-control': 'max-age=600' }).reason).toMatch(/Vary: \*/);
  });

  it('Vary: Accept-Encoding alone is cached: fills always ask the origin for the identity encoding', () => {
    expect(ttl({ vary: 'Accept-Encoding', 'cache-control': 'max-age=600' })).toBe(600);
    expect(ttl({ vary: ['accept-encoding', ' '], 'cache-control': 'max-age=600' })).toBe(600);
  });

  it('Vary: * is not cached, not even with IgnoreCacheControl and a rule', () => {
    expect(ttl({ vary: '*' }, { policy: policy({ ignoreCacheControl: true, rules: [dirRule(600)] }) })).toBe(0);
    expect(ttl({ vary: 'Origin' }, { policy: policy({ ignoreCacheControl: true, rules: [dirRule(600)] }) })).toBe(600);
  });

  it('an empty Vary is no Vary', () => {
    expect(ttl({ vary: '', 'cache-control': 'max-age=600' })).toBe(600);
  });
});

describe('freshnessFor: storable statuses (RFC 9111 §3, RFC 9110 §15.1)', () => {
  it.each([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])('%i is cached when the origin gives a lifetime', (status) => {
    expect(ttl({ 'cache-control': 'max-age=60' }, { status })).toBe(60);
  });

  it.each([200, 203, 204, 300, 301, 308])('%i, a positive answer, takes the whole rule TTL', (status) => {
    expect(ttl({}, { status, policy: policy({ rules: [dirRule(86_400)] }) })).toBe(86_400);
  });

  it.each([299, 302, 303, 307, 400, 401, 403, 499, 500, 502, 503, 504, 599])(
    '%i is cached for an explicit lifetime only, never a rule TTL or a heuristic one (RFC 9111 §3)',
    (status) => {
      expect(ttl({ 'cache-control': 'max-age=60' }, { status })).toBe(60);
      expect(ttl({ 'cache-control': 's-maxage=30, max-age=60' }, { status })).toBe(30);
      expect(ttl({ date: DATE, expires: httpDate(NOW + 90_000) }, { status })).toBe(90);
      expect(ttl({ 'cdn-cache-control': 'max-age=20' }, { status })).toBe(20);
      const rules = policy({ ignoreCacheControl: true, rules: [dirRule(3600)] });
      expect(ttl({}, { status, policy: rules })).toBe(0);
      expect(decide({}, { status, policy: rules }).reason).toContain(String(status));
      expect(ttl({ 'cache-control': 'public', date: DATE, 'last-modified': httpDate(NOW - 10_000_000) }, { status })).toBe(0);
    },
  );

  it.each([100, 103, 206, 304, 600])('%i is never cached, whatever the origin says', (status) => {
    expect(ttl({ 'cache-control': 'max-age=60' }, { status })).toBe(0);
    expect(ttl({}, { status, policy: policy({ rules: [dirRule(3600)] }) })).toBe(0);
  });
});

describe('freshnessFor: negative answers and server errors under rules (issue 10, fault 4)', () => {
  const dayRule = policy({ rules: [dirRule(86_400)] });

  it.each([404, 405, 410, 414])('%i under a one-day rule is kept only for the negative TTL', (status) => {
    expect(ttl({}, { status, policy: dayRule })).toBe(10);
    expect(ttl({}, { status, policy: dayRule, context: { negativeTtlSeconds: 30 } })).toBe(30);
    expect(decide({}, { status, policy: dayRule }).reason).toMatch(/negative TTL/);
  });

  it('a rule shorter than the negative TTL still wins, and a negative TTL of 0 keeps no negative answer', () => {
    expect(ttl({}, { status: 404, policy: policy({ rules: [dirRule(3)] }) })).toBe(3);
    expect(ttl({}, { status: 404, policy: dayRule, context: { negativeTtlSeconds: 0 } })).toBe(0);
  });

  it('IgnoreCacheControl does not lift the cap', () => {
    const ignoring = policy({ ignoreCacheControl: true, rules: [dirRule(86_400)] });
    expect(ttl({ 'cache-control': 'max-age=86400' }, { status: 404, policy: ignoring })).toBe(10);
  });

  it("the origin's own explicit lifetime on a 404 is honoured (RFC 9111 §4.2.1)", () => {
    expect(ttl({ 'cache-control': 'max-age=600' }, { status: 404, policy: dayRule })).toBe(600);
  });

  it('a heuristic lifetime for a 404 is capped too', () => {
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 10_000_000) }, { status: 410 })).toBe(10);
  });

  it('501 is never kept for a rule TTL or a heuristic one, only for its own explicit lifetime', () => {
    expect(ttl({}, { status: 501, policy: dayRule })).toBe(0);
    expect(ttl({}, { status: 501, policy: policy({ ignoreCacheControl: true, rules: [dirRule(86_400)] }) })).toBe(0);
    expect(ttl({ date: DATE, 'last-modified': httpDate(NOW - 10_000_000) }, { status: 501 })).toBe(0);
    expect(ttl({ 'cache-control': 'max-age=60' }, { status: 501, policy: dayRule })).toBe(60);
  });
});

describe('initialAge and the lifetime left (RFC 9111 §4.2.3)', () => {
  it('is the apparent age (arrival minus Date) when the origin clock is behind', () => {
    const d = decide({ 'cache-control': 'max-age=300', date: httpDate(NOW - 100_000) });
    expect([d.initialAgeSeconds, d.ttlSeconds]).toEqual([100, 200]);
  });

  it('is Age plus the response delay when that is more', () => {
    const d = decide({ 'cache-control': 'max-age=300', date: DATE, age: '50' }, { context: { requestTime: NOW - 5_000 } });
    expect([d.initialAgeSeconds, d.ttlSeconds]).toEqual([55, 245]);
  });

  it('never goes below 0 for a Date ahead of the edge clock; an invalid Date or Age counts for nothing', () => {
    expect(decide({ date: httpDate(NOW + 60_000) }).initialAgeSeconds).toBe(0);
    expect(decide({ date: 'yesterday', age: 'old' }).initialAgeSeconds).toBe(0);
  });

  it('takes the first of several Age values, on one line or several', () => {
    expect(decide({ 'cache-control': 'max-age=3600', date: DATE, age: '7200, 0' }).ttlSeconds).toBe(0);
    expect(decide({ 'cache-control': 'max-age=3600', date: DATE, age: '0, 7200' }).initialAgeSeconds).toBe(0);
    expect(decide({ 'cache-control': 'max-age=3600', date: DATE, age: ['60', '7200'] }).initialAgeSeconds).toBe(60);
  });

  it('is reported for a rule TTL too, which it does not shorten', () => {
    const d = decide({ date: httpDate(NOW - 100_000) }, { policy: policy({ rules: [dirRule(300)] }) });
    expect([d.initialAgeSeconds, d.ttlSeconds]).toEqual([100, 300]);
  });
});

describe('CDN-Cache-Control and Surrogate-Control (RFC 9213)', () => {
  it('CDN-Cache-Control wins over Cache-Control, both ways', () => {
    expect(ttl({ 'cdn-cache-control': 'max-age=600', 'cache-control': 'no-store' })).toBe(600);
    expect(ttl({ 'cdn-cache-control': 'no-store', 'cache-control': 'max-age=600' })).toBe(0);
    expect(ttl({ 'cdn-cache-control': 'private', 'cache-control': 'public, max-age=600' })).toBe(0);
  });

  it('Expires is ignored when a targeted field decides', () => {
    expect(ttl({ 'cdn-cache-control': 'must-revalidate', date: DATE, expires: httpDate(NOW + 600_000) })).toBe(0);
    expect(ttl({ 'cdn-cache-control': 'max-age=60', date: DATE, expires: '0' })).toBe(60);
  });

  it('a CDN-Cache-Control that is not a valid Structured Field dictionary is ignored whole (RFC 9213 §2.2)', () => {
    expect(ttl({ 'cdn-cache-control': 'max-age=10000, &&&&&', 'cache-control': 'no-store' })).toBe(0);
    expect(ttl({ 'cdn-cache-control': 'max-age="10000"', 'cache-control': 'no-store' })).toBe(0);
    expect(ttl({ 'cdn-cache-control': 'max-age=1.5', 'cache-control': 'max-age=5' })).toBe(5);
    expect(ttl({ 'cdn-cache-control': 'MaX-aGe=3600', 'cache-control': 'max-age=5' })).toBe(5);
    expect(ttl({ 'cdn-cache-control': 'max-age =100', 'cache-control': 'max-age=5' })).toBe(5);
    // Valid dictionaries: extensions, parameters and lines joined.
    expect(ttl({ 'cdn-cache-control': 'foobar, max-age=3600', 'cache-control': 'no-store' })).toBe(3600);
    expect(ttl({ 'cdn-cache-control': ['max-age=60;x=1', 'stale-if-error=5'], 'cache-control': 'no-store' })).toBe(60);
    expect(ttl({ 'cdn-cache-control': 'max-age=99999999999' })).toBe(2_147_483_648);
    expect(ttl({ 'cdn-cache-control': 'no-cache="set-cookie", max-age=60' })).toBe(0);
  });

  it('a malformed or empty CDN-Cache-Control is ignored', () => {
    expect(ttl({ 'cdn-cache-control': 'max-age=60 junk', 'cache-control': 'max-age=5' })).toBe(5);
    expect(ttl({ 'cdn-cache-control': '', 'cache-control': 'max-age=5' })).toBe(5);
  });

  it('Surrogate-Control comes after CDN-Cache-Control and gives max-age (grace ignored) and no-store', () => {
    expect(ttl({ 'surrogate-control': 'max-age=120+30', 'cache-control': 'max-age=5' })).toBe(120);
    expect(ttl({ 'surrogate-control': 'no-store', 'cache-control': 'max-age=5' })).toBe(0);
    expect(ttl({ 'surrogate-control': 'max-age=120', 'cdn-cache-control': 'max-age=30' })).toBe(30);
    expect(ttl({ 'surrogate-control': 'content="ESI/1.0", max-age=90;edge1' })).toBe(90);
  });

  it('IgnoreCacheControl with a matching rule ignores them as well', () => {
    expect(ttl({ 'cdn-cache-control': 'no-store' }, { policy: policy({ ignoreCacheControl: true, rules: [dirRule(300)] }) })).toBe(300);
  });
});
