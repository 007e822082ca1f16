import { describe, expect, it } from 'vitest';
import {
  conditionalHeaders,
  headersAfterNotModified,
  keepUntil,
  servesOnError,
  servesWhileRevalidating,
  STALE_KEEP_SECONDS,
  staleRules,
} from '../../../src/edge/policy/revalidation.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const rules = (cacheControl: string) => staleRules({ 'cache-control': cacheControl });

describe('staleRules: what forbids serving stale (RFC 9111 §5.2.2)', () => {
  it.each(['max-age=2, must-revalidate', 'max-age=2, proxy-revalidate', 's-maxage=2', 'no-cache', 'max-age=2, no-cache, stale-if-error=60'])('%s: never stale', (cc) => {
    expect(rules(cc).neverStale).toBe(true);
    expect(servesOnError(rules(cc), T0, T0 + 1000, true)).toBe(false);
    expect(servesWhileRevalidating(rules(cc), T0, T0 + 1000)).toBe(false);
  });

  it('CDN-Cache-Control decides ahead of Cache-Control (RFC 9213)', () => {
    expect(staleRules({ 'cdn-cache-control': 'max-age=60, must-revalidate', 'cache-control': 'max-age=60' }).neverStale).toBe(true);
  });
});

describe('stale-while-revalidate (RFC 5861 §3)', () => {
  it('serves stale within the window only', () => {
    const r = rules('max-age=1, stale-while-revalidate=4');
    expect(servesWhileRevalidating(r, T0, T0)).toBe(true);
    expect(servesWhileRevalidating(r, T0, T0 + 3999)).toBe(true);
    expect(servesWhileRevalidating(r, T0, T0 + 4000)).toBe(false);
    expect(servesWhileRevalidating(rules('max-age=1'), T0, T0)).toBe(false);
  });
});

describe('serving stale on error (RFC 5861 §4, RFC 9111 §4.2.4)', () => {
  it('a 5xx lets the stale copy stand in only within stale-if-error', () => {
    const r = rules('max-age=2, stale-if-error=60');
    expect(servesOnError(r, T0, T0 + 59_999, false)).toBe(true);
    expect(servesOnError(r, T0, T0 + 60_000, false)).toBe(false);
    expect(servesOnError(rules('max-age=2'), T0, T0 + 1000, false)).toBe(false);
  });

  it('an unreachable origin (disconnected) allows it unless forbidden, within stale-if-error when given', () => {
    expect(servesOnError(rules('max-age=2'), T0, T0 + 1000, true)).toBe(true);
    expect(servesOnError(rules('max-age=2, stale-if-error=1'), T0, T0 + 1000, true)).toBe(false);
  });
});

describe('keepUntil: how long a stale object is kept', () => {
  it('at least the keep time, longer for a wider stale window, bounded at a day', () => {
    expect(keepUntil(T0, rules('max-age=1'))).toBe(T0 + STALE_KEEP_SECONDS * 1000);
    expect(keepUntil(T0, rules('max-age=1, stale-if-error=7200'))).toBe(T0 + 7_200_000);
    expect(keepUntil(T0, rules('max-age=1, stale-while-revalidate=99999999'))).toBe(T0 + 86_400_000);
  });
});

describe('conditionalHeaders (RFC 9111 §4.3.1)', () => {
  it('sends the stored validators as preconditions', () => {
    expect(conditionalHeaders({ etag: '"abc"', 'last-modified': 'Sun, 01 Mar 2026 10:00:00 GMT' })).toEqual({
      'if-none-match': '"abc"',
      'if-modified-since': 'Sun, 01 Mar 2026 10:00:00 GMT',
    });
    expect(conditionalHeaders({ 'content-type': 'text/plain' })).toEqual({});
  });
});

describe('headersAfterNotModified (RFC 9111 §4.3.4)', () => {
  it('replaces stored fields with those of the 304, keeps the rest, never Content-Length or the stored Age', () => {
    const stored = { 'content-type': 'text/plain', 'test-header': 'old', 'content-length': '10', age: '5', etag: '"a"', 'x-kept': ['1', '2'] };
    const merged = headersAfterNotModified(stored, { 'test-header': 'new', 'cache-control': 'max-age=60', 'content-length': '0', 'content-foo': 'bar' });
    expect(merged).toEqual({
      'content-type': 'text/plain',
      'test-header': 'new',
      'content-length': '10',
      etag: '"a"',
      'x-kept': ['1', '2'],
      'cache-control': 'max-age=60',
      'content-foo': 'bar',
    });
  });
});
