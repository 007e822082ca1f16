import { describe, expect, it } from 'vitest';
import { isNotModified } from '../../../src/edge/policy/conditional.js';

const LAST_MODIFIED = 'Sun, 01 Mar 2026 10:00:00 GMT';
const cached = { etag: '"v1"', 'last-modified': LAST_MODIFIED };

describe('isNotModified: If-None-Match (RFC 9110 §13.1.2)', () => {
  it('answers 304 when the tag matches the cached ETag', () => {
    expect(isNotModified({ 'if-none-match': '"v1"' }, cached)).toBe(true);
  });

  it('answers in full when the tag differs', () => {
    expect(isNotModified({ 'if-none-match': '"v2"' }, cached)).toBe(false);
  });

  it('matches any tag of a list', () => {
    expect(isNotModified({ 'if-none-match': '"a", "v1" ,"b"' }, cached)).toBe(true);
    expect(isNotModified({ 'if-none-match': '"a", "b"' }, cached)).toBe(false);
  });

  it('§8.8.3.2 uses the weak comparison: W/ on either side does not matter', () => {
    expect(isNotModified({ 'if-none-match': 'W/"v1"' }, cached)).toBe(true);
    expect(isNotModified({ 'if-none-match': '"v1"' }, { etag: 'W/"v1"' })).toBe(true);
    expect(isNotModified({ 'if-none-match': 'W/"v1"' }, { etag: 'W/"v1"' })).toBe(true);
    expect(isNotModified({ 'if-none-match': 'W/"v2"' }, { etag: 'W/"v1"' })).toBe(false);
  });

  it('compares opaque tags exactly, including case', () => {
    expect(isNotModified({ 'if-none-match': '"V1"' }, cached)).toBe(false);
  });

  it('"*" matches any cached representation', () => {
    expect(isNotModified({ 'if-none-match': '*' }, cached)).toBe(true);
    expect(isNotModified({ 'if-none-match': '*' }, { 'last-modified': LAST_MODIFIED })).toBe(true);
  });

  it('a tag cannot match a response without ETag', () => {
    expect(isNotModified({ 'if-none-match': '"v1"' }, { 'last-modified': LAST_MODIFIED })).toBe(false);
  });

  it('§13.2.2 when If-None-Match is present, If-Modified-Since is ignored', () => {
    const request = { 'if-none-match': '"v2"', 'if-modified-since': 'Mon, 02 Mar 2026 10:00:00 GMT' };
    expect(isNotModified(request, cached)).toBe(false);
  });
});

describe('isNotModified: If-Modified-Since (RFC 9110 §13.1.3)', () => {
  it('answers 304 when the cached copy was last modified at the given date', () => {
    expect(isNotModified({ 'if-modified-since': LAST_MODIFIED }, cached)).toBe(true);
  });

  it('answers 304 when it was last modified before the given date', () => {
    expect(isNotModified({ 'if-modified-since': 'Sun, 01 Mar 2026 10:00:01 GMT' }, cached)).toBe(true);
  });

  it('answers in full when it was modified after the given date', () => {
    expect(isNotModified({ 'if-modified-since': 'Sun, 01 Mar 2026 09:59:59 GMT' }, cached)).toBe(false);
  });

  it('ignores a date that is not a date', () => {
    expect(isNotModified({ 'if-modified-since': 'last tuesday' }, cached)).toBe(false);
  });

  it('answers in full when the cached copy has no Last-Modified', () => {
    expect(isNotModified({ 'if-modified-since': LAST_MODIFIED }, { etag: '"v1"' })).toBe(false);
  });
});

describe('isNotModified: an unconditional request', () => {
  it('is answered in full', () => {
    expect(isNotModified({}, cached)).toBe(false);
  });
});
