import { describe, expect, it } from 'vitest';
import type { CacheRule } from '../../../src/domain/cache-policy.js';
import { normalizePath } from '../../../src/domain/url-path.js';
import { matchCacheRule } from '../../../src/edge/policy/cache-rules.js';

const fullUri = (ttlSeconds: number, ...items: string[]): CacheRule => ({ type: 'FullUri', items, ttlSeconds });
const dir = (ttlSeconds: number, ...items: string[]): CacheRule => ({ type: 'Dir', items, ttlSeconds });
const suffix = (ttlSeconds: number, ...items: string[]): CacheRule => ({ type: 'Suffix', items, ttlSeconds });

/** The TTL of the rule that applies, or undefined when none does. */
const ttlFor = (rules: readonly CacheRule[], path: string) => matchCacheRule(rules, path)?.ttlSeconds;

describe('matchCacheRule: no rule', () => {
  it('returns undefined when there are no rules', () => {
    expect(matchCacheRule([], '/index.html')).toBeUndefined();
  });

  it('returns undefined when no rule matches the path', () => {
    expect(ttlFor([fullUri(1, '/a.html'), dir(2, '/img/'), suffix(3, '.css')], '/b.html')).toBeUndefined();
  });
});

describe('matchCacheRule: FullUri', () => {
  it('matches exactly the path it names', () => {
    const rules = [fullUri(60, '/index.html', '/about.html')];
    expect(ttlFor(rules, '/index.html')).toBe(60);
    expect(ttlFor(rules, '/about.html')).toBe(60);
    expect(ttlFor(rules, '/index.html5')).toBeUndefined();
    expect(ttlFor(rules, '/sub/index.html')).toBeUndefined();
    expect(ttlFor(rules, '/index')).toBeUndefined();
  });

  it('wins over a Dir and a Suffix rule whatever the order of the rules', () => {
    const rules = [suffix(1, '.jpg'), dir(2, '/img/'), fullUri(3, '/img/logo.jpg')];
    expect(ttlFor(rules, '/img/logo.jpg')).toBe(3);
    expect(ttlFor(rules, '/img/other.jpg')).toBe(2);
  });

  it('names a path the way the edge normalises it (non-ASCII and escapes)', () => {
    const rules = [fullUri(30, '/图片/a.jpg'), fullUri(40, '/a%7eb.html')];
    expect(ttlFor(rules, normalizePath('/图片/a.jpg'))).toBe(30);
    expect(ttlFor(rules, normalizePath('/a~b.html'))).toBe(40);
  });
});

describe('matchCacheRule: Dir', () => {
  it('matches everything under the directory, at any depth', () => {
    const rules = [dir(100, '/img/')];
    expect(ttlFor(rules, '/img/a.png')).toBe(100);
    expect(ttlFor(rules, '/img/2024/05/a.png')).toBe(100);
  });

  it('does not match a sibling that merely shares the prefix', () => {
    const rules = [dir(100, '/img/')];
    expect(ttlFor(rules, '/imgx/a.png')).toBeUndefined();
    expect(ttlFor(rules, '/images/a.png')).toBeUndefined();
  });

  it('treats a directory written without its trailing slash as that directory', () => {
    const rules = [dir(100, '/img')];
    expect(ttlFor(rules, '/img/a.png')).toBe(100);
    expect(ttlFor(rules, '/imgx/a.png')).toBeUndefined();
  });

  it('prefers the longest matching directory, whatever the order of the rules', () => {
    const rules = [dir(1, '/'), dir(3, '/img/2024/'), dir(2, '/img/')];
    expect(ttlFor(rules, '/img/2024/a.png')).toBe(3);
    expect(ttlFor(rules, '/img/2023/a.png')).toBe(2);
    expect(ttlFor(rules, '/css/site.css')).toBe(1);
  });

  it('considers every item of a rule when looking for the longest', () => {
    const rules = [dir(1, '/a/'), dir(2, '/x/', '/a/b/c/')];
    expect(ttlFor(rules, '/a/b/c/d.txt')).toBe(2);
    expect(ttlFor(rules, '/a/b/d.txt')).toBe(1);
  });

  it('wins over a Suffix rule', () => {
    const rules = [suffix(1, '.png'), dir(2, '/img/')];
    expect(ttlFor(rules, '/img/a.png')).toBe(2);
    expect(ttlFor(rules, '/other/a.png')).toBe(1);
  });

  it('is case-sensitive, as paths are', () => {
    expect(ttlFor([dir(5, '/Img/')], '/img/a.png')).toBeUndefined();
  });

  it('matches a directory named the way the edge normalises paths', () => {
    expect(ttlFor([dir(5, '/图片/')], normalizePath('/图片/a.jpg'))).toBe(5);
  });
});

describe('matchCacheRule: Suffix', () => {
  it('matches the file extension, with or without the leading dot', () => {
    const rules = [suffix(10, 'jpg'), suffix(20, '.css')];
    expect(ttlFor(rules, '/a/b.jpg')).toBe(10);
    expect(ttlFor(rules, '/site.css')).toBe(20);
  });

  it('is case-insensitive', () => {
    expect(ttlFor([suffix(10, '.JPG')], '/a.jpg')).toBe(10);
    expect(ttlFor([suffix(10, 'jpg')], '/A.JPG')).toBe(10);
  });

  it('needs a real extension: a file merely named like the suffix does not match', () => {
    const rules = [suffix(10, 'jpg')];
    expect(ttlFor(rules, '/jpg')).toBeUndefined();
    expect(ttlFor(rules, '/photojpg')).toBeUndefined();
  });

  it('looks at the file name only, not at directories', () => {
    expect(ttlFor([suffix(10, '.jpg')], '/album.jpg/index.html')).toBeUndefined();
  });

  it('matches multi-part suffixes', () => {
    expect(ttlFor([suffix(10, '.tar.gz')], '/dist/app.tar.gz')).toBe(10);
    expect(ttlFor([suffix(10, '.tar.gz')], '/dist/app.gz')).toBeUndefined();
  });
});
