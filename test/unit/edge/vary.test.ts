import { describe, expect, it } from 'vitest';
import { varyFields, varyMatches } from '../../../src/edge/policy/vary.js';

describe('varyMatches (RFC 9111 §4.1)', () => {
  it('matches when every named header has the same value in both requests, or is absent from both', () => {
    expect(varyMatches('Origin', { origin: 'https://a.test' }, { origin: 'https://a.test' })).toBe(true);
    expect(varyMatches('Origin', {}, {})).toBe(true);
    expect(varyMatches(undefined, { origin: 'https://a.test' }, { origin: 'https://b.test' })).toBe(true);
  });

  it('does not match when a named header differs, or is present in one request only', () => {
    expect(varyMatches('Origin', { origin: 'https://a.test' }, { origin: 'https://b.test' })).toBe(false);
    expect(varyMatches('accept-language, ORIGIN', { origin: 'https://a.test' }, {})).toBe(false);
    expect(varyMatches(['Accept-Language', 'Cookie'], { cookie: 'a=1' }, { cookie: 'a=2' })).toBe(false);
  });

  it('never matches Vary: *', () => {
    expect(varyMatches('*', {}, {})).toBe(false);
    expect(varyMatches('Origin, *', { origin: 'x' }, { origin: 'x' })).toBe(false);
  });

  it('compares values after combining field lines and normalising whitespace', () => {
    expect(varyMatches('Accept-Language', { 'accept-language': ['en', 'fr'] }, { 'accept-language': 'en ,  fr ' })).toBe(true);
    expect(varyMatches('Accept-Language', { 'accept-language': 'en,fr' }, { 'accept-language': 'fr, en' })).toBe(false);
  });

  it('lists the fields lower-cased', () => {
    expect(varyFields(' Origin ,Accept-Encoding,, ')).toEqual(['origin', 'accept-encoding']);
  });
});
