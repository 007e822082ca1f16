import { describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_POLICY, type CachePolicyRules } from '../../../src/domain/cache-policy.js';
import { cookieRule, storageDecision } from '../../../src/edge/policy/cookies.js';
import type { Headers } from '../../../src/edge/policy/freshness.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const RULE: CachePolicyRules = { ...DEFAULT_CACHE_POLICY, rules: [{ type: 'Dir', items: ['/'], ttlSeconds: 600 }] };

/** The decision the edge makes for a fill: the cookie rule, then freshness. */
const ttl = (request: Headers, response: Headers, policy = RULE) =>
  storageDecision(request, 200, response, '/page', policy, { requestTime: NOW, responseTime: NOW, negativeTtlSeconds: 10 }).ttlSeconds;

describe('the cookie rule', () => {
  it('stores an answer without Set-Cookie by its headers or a rule, whether or not the request sent a cookie', () => {
    expect(ttl({ cookie: 'session=1' }, {})).toBe(600);
    expect(ttl({ cookie: 'session=1' }, { 'cache-control': 'max-age=60' }, DEFAULT_CACHE_POLICY)).toBe(60);
    expect(ttl({}, {})).toBe(600);
  });

  it('leaves it to the origin to keep a personalised answer private', () => {
    expect(ttl({ cookie: 'session=1' }, { 'cache-control': 'private' })).toBe(0);
  });

  it('never stores an answer that sets a cookie for a request that sent one, even under IgnoreCookie', () => {
    const setsCookie = { 'set-cookie': 'session=2' };
    expect(ttl({ cookie: 'session=1' }, setsCookie, { ...RULE, ignoreCookie: true })).toBe(0);
    expect(cookieRule({ cookie: 'session=1' }, setsCookie)).toMatch(/sets a cookie for a request that sent one/);
  });

  it('does not store a session answer to revalidate either, whatever no-cache and IgnoreCookie say', () => {
    const response = { 'set-cookie': 'session=2', 'cache-control': 'no-cache', etag: '"a"' };
    const decision = storageDecision({ cookie: 'session=1' }, 200, response, '/page', { ...RULE, ignoreCookie: true }, { requestTime: NOW, responseTime: NOW, negativeTtlSeconds: 10 });
    expect(decision.storedToRevalidate).toBe(false);
  });

  it('stores an answer that sets a cookie for a request without one only under IgnoreCookie', () => {
    const setsCookie = { 'set-cookie': 'visitor=1' };
    expect(ttl({}, setsCookie)).toBe(0);
    expect(ttl({}, setsCookie, { ...RULE, ignoreCookie: true })).toBe(600);
  });
});
