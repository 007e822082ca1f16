import { describe, expect, it } from 'vitest';
import { sameVaryFields, variantMatches, varyFields, varyMatches, varyValues } from '../../../src/edge/policy/vary.js';

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

describe('variant values (what a stored variant records of its request)', () => {
  it('records the normalised value of each named field, null for an absent one, and leaves Accept-Encoding out', () => {
    expect(varyValues('Origin, Accept-Language, Accept-Encoding', { origin: ' https://a.test ', 'accept-encoding': 'gzip', 'accept-language': ['en', 'fr'] })).toEqual({
      origin: 'https://a.test',
      'accept-language': 'en, fr',
    });
    expect(varyValues(['Foo', 'Bar'], { foo: 'x' })).toEqual({ foo: 'x', bar: null });
    expect(varyValues('Accept-Encoding', { 'accept-encoding': 'br' })).toBeUndefined();
    expect(varyValues(undefined, {})).toBeUndefined();
  });

  it('a request matches a variant when every recorded value is its own, absence included', () => {
    const stored = varyValues('Foo, Bar', { foo: 'a,  b' });
    expect(variantMatches(stored, { foo: ['a', 'b'] })).toBe(true);
    expect(variantMatches(stored, { foo: 'a, b', bar: '1' })).toBe(false);
    expect(variantMatches(stored, {})).toBe(false);
    expect(variantMatches(undefined, { foo: 'anything' })).toBe(true);
  });

  it('tells whether two variants vary on the same fields, in any order', () => {
    expect(sameVaryFields({ a: '1', b: null }, { b: '2', a: null })).toBe(true);
    expect(sameVaryFields({ a: '1' }, { a: '1', b: null })).toBe(false);
    expect(sameVaryFields(undefined, undefined)).toBe(true);
  });
});
