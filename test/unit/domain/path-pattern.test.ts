/** Wildcard purge paths: what "*" matches, and that matching stays linear on hostile patterns. */
import { describe, expect, it } from 'vitest';
import { compilePattern, isPathPattern, matchesPattern, purgePatternOf } from '../../../src/domain/path-pattern.js';

const matches = (pattern: string, path: string) => matchesPattern(compilePattern(pattern), path);

describe('matchesPattern', () => {
  it.each([
    ['/*.html', '/index.html', true],
    ['/*.html', '/a/b/c.html', true],
    ['/*.html', '/index.htm', false],
    ['/*.html', '/index.html.bak', false],
    ['/img/*/thumb.png', '/img/a/thumb.png', true],
    ['/img/*/thumb.png', '/img/a/b/thumb.png', true],
    ['/img/*/thumb.png', '/img/thumb.png', false],
    ['/img/*/thumb.png', '/imgx/a/thumb.png', false],
    ['/a*b*c', '/abc', true],
    ['/a*b*c', '/aXbYc', true],
    ['/a*b*c', '/acb', false],
    ['/a*a', '/a', false],
    ['/a*a', '/aa', true],
    ['/*', '/', true],
    ['/**', '/x/y', true],
    ['/x/*', '/x/', true],
    ['/x/*', '/y/', false],
    ['/a%2Ab', '/a*b', false],
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected);
  });

  it('takes linear time on patterns that make a backtracking matcher explode', () => {
    const path = `/${'a'.repeat(100_000)}`;
    const pattern = `/${'*a'.repeat(50)}*b`;
    const started = performance.now();
    expect(matches(pattern, path)).toBe(false);
    expect(matches(`/${'a*'.repeat(1000)}`, path)).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('purge items', () => {
  it('a directory URL with a star is everything below the directories it matches', () => {
    expect(purgePatternOf('directory', '/img/*/')).toBe('/img/*/*');
    expect(purgePatternOf('file', '/img/*.png')).toBe('/img/*.png');
    expect(isPathPattern('/img/a.png')).toBe(false);
    expect(isPathPattern('/img/%2A.png')).toBe(false);
    expect(matches(purgePatternOf('directory', '/img/*/'), '/img/a/b/c.png')).toBe(true);
    expect(matches(purgePatternOf('directory', '/img/*/'), '/img/c.png')).toBe(false);
  });
});
