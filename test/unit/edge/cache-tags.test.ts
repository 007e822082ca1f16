/** Reading cache tags from response headers (edge/policy/cache-tags.ts). */
import { describe, expect, it } from 'vitest';
import { MAX_TAGS_PER_OBJECT, tagProblem } from '../../../src/domain/cache-tag.js';
import { tagsOf } from '../../../src/edge/policy/cache-tags.js';

describe('tagsOf', () => {
  it('splits Cache-Tag on commas, trimming, each tag once, across repeated lines', () => {
    expect(tagsOf({ 'cache-tag': [' a, b ,,a', 'c'] }, ['cache-tag'])).toEqual(['a', 'b', 'c']);
  });

  it('splits Surrogate-Key on any run of whitespace; other configured headers on commas', () => {
    expect(tagsOf({ 'surrogate-key': 'k1  k2\tk3', 'x-tags': 'one two,three' }, ['surrogate-key', 'x-tags'])).toEqual(['k1', 'k2', 'k3', 'three']);
  });

  it('reads only the configured headers; none found is undefined', () => {
    expect(tagsOf({ 'cache-tag': 'a' }, ['surrogate-key'])).toBeUndefined();
    expect(tagsOf({ 'cache-tag': ' , ' }, ['cache-tag'])).toBeUndefined();
  });

  it('ignores tags no purge could name and keeps at most MAX_TAGS_PER_OBJECT', () => {
    expect(tagsOf({ 'cache-tag': `ok,${'x'.repeat(1025)},a\u0001b` }, ['cache-tag'])).toEqual(['ok']);
    const many = Array.from({ length: MAX_TAGS_PER_OBJECT + 10 }, (_, i) => `t${i}`).join(',');
    expect(tagsOf({ 'cache-tag': many }, ['cache-tag'])).toHaveLength(MAX_TAGS_PER_OBJECT);
  });
});

describe('tagProblem', () => {
  it.each([
    ['', /empty/],
    ['a,b', /comma/],
    ['a b', /whitespace/],
    ['a\u00a0b', /whitespace/],
    ['\u0007', /control/],
    ['x'.repeat(1025), /longer than 1024/],
    ['\ud800', /lone surrogate/],
  ])('refuses %j', (tag, problem) => expect(tagProblem(tag)).toMatch(problem));

  it('accepts any other text', () => {
    for (const tag of ['product-42', 'Ünïcode', 'a/b:c;d*e', 'x'.repeat(1024)]) expect(tagProblem(tag)).toBeUndefined();
  });
});
