import { describe, expect, it } from 'vitest';
import { MAX_TARGET_LENGTH, pathAsFiled, requestHost, requestTarget } from '../../../src/edge/request-target.js';

describe('requestTarget', () => {
  it('puts the path in the one normal form the key, the origin request and purges share', () => {
    expect(requestTarget('//img//a.png?v=1')).toEqual({ path: '/img/a.png', query: 'v=1', target: '/img/a.png?v=1' });
    expect(requestTarget('/x/../img/%7ea.png')).toEqual({ path: '/img/~a.png', query: '', target: '/img/~a.png' });
    expect(requestTarget('/a\\b')).toMatchObject({ path: '/a/b' });
    expect(requestTarget('http://cdn.example.com/a?b')).toMatchObject({ path: '/a', query: 'b' });
  });

  it('refuses what is not a path (400) and what is longer than 8 KiB (414)', () => {
    expect(requestTarget('*')).toEqual({ refused: 400, message: 'The request target must be a path.' });
    expect(requestTarget(`/${'a'.repeat(MAX_TARGET_LENGTH)}`)).toMatchObject({ refused: 414 });
  });
});

describe('requestHost', () => {
  it('looks endpoints up without case, port, brackets or a final dot', () => {
    expect(requestHost('CDN.Example.com.:8080')).toBe('cdn.example.com');
    expect(requestHost('[::1]:80')).toBe('::1');
    expect(requestHost(undefined)).toBe('');
  });
});

describe('pathAsFiled', () => {
  it('reads an encoded slash as the slash an origin file system would see', () => {
    expect(pathAsFiled('/img%2Fa.png')).toBe('/img/a.png');
    expect(pathAsFiled('/img/a.png')).toBe('/img/a.png');
  });
});
