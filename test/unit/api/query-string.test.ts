import { splitTarget } from '../../../src/domain/url-path.js';
import { describe, expect, it } from 'vitest';
import { parseQueryString, queryValue, repeatedQueryName } from '../../../src/api/pipeline/query-string.js';

describe('parseQueryString', () => {
  it('reads names and values, percent- and plus-decoded', () => {
    expect(parseQueryString('apiVersion=1.0&startTime=2017-05-02T06%3A00%3A00Z&q=a+b%20c')).toEqual({
      apiVersion: '1.0',
      startTime: '2017-05-02T06:00:00Z',
      q: 'a b c',
    });
  });

  it('keeps the first value of a repeated name, as the signature does', () => {
    expect(parseQueryString('apiVersion=1.0&apiVersion=2.0')).toEqual({ apiVersion: '1.0' });
    expect(parseQueryString('api%56ersion=1.0&apiVersion=2.0')).toEqual({ apiVersion: '1.0' });
  });

  it('reads a name without "=" as an empty value and skips empty pairs', () => {
    expect(parseQueryString('flag&&a=1&')).toEqual({ flag: '', a: '1' });
    expect(parseQueryString('')).toEqual({});
  });

  it('keeps a value that contains "="', () => {
    expect(parseQueryString('token=a=b==')).toEqual({ token: 'a=b==' });
  });

  it('leaves a malformed escape as it is', () => {
    expect(parseQueryString('a=100%&b=%zz')).toEqual({ a: '100%', b: '%zz' });
  });
});

describe('repeatedQueryName', () => {
  it('is undefined when every name is given once', () => {
    expect(repeatedQueryName('apiVersion=1.0&granularity=PerHour')).toBeUndefined();
    expect(repeatedQueryName('')).toBeUndefined();
  });

  it.each([
    ['apiVersion=1.0&apiVersion=1.0', 'apiVersion'],
    ['apiVersion=1.0&APIVERSION=2.0', 'APIVERSION'],
    ['a=1&b=2&ApiVersion=1&apiversion=2', 'apiversion'],
    ['apiVersion=1.0&api%56ersion=2.0', 'apiVersion'],
    ['flag&flag=1', 'flag'],
  ])('finds the repeat in %s', (query, name) => {
    expect(repeatedQueryName(query)).toBe(name);
  });
});

describe('queryValue', () => {
  const query = parseQueryString('ApiVersion=1.0&startTime=x');

  it('finds a name in any case', () => {
    expect(queryValue(query, 'apiVersion')).toBe('1.0');
    expect(queryValue(query, 'APIVERSION')).toBe('1.0');
    expect(queryValue(query, 'starttime')).toBe('x');
  });

  it('prefers the exact spelling', () => {
    expect(queryValue({ apiversion: 'a', apiVersion: 'b' }, 'apiVersion')).toBe('b');
  });

  it('is undefined for a name not given', () => {
    expect(queryValue(query, 'endTime')).toBeUndefined();
  });
});

describe('splitTarget', () => {
  it.each([
    ['/subscriptions/S/endpoints?apiVersion=1.0', '/subscriptions/S/endpoints', 'apiVersion=1.0'],
    ['/subscriptions/S/endpoints', '/subscriptions/S/endpoints', ''],
    ['/a?', '/a', ''],
    ['/a?x=1?y=2', '/a', 'x=1?y=2'],
    ['/a?x=1#frag', '/a', 'x=1'],
    ['/a#frag?x=1', '/a', ''],
    ['/a/http://b/c?x=1', '/a/http://b/c', 'x=1'],
  ])('splits the origin-form %s', (target, path, query) => {
    expect(splitTarget(target)).toEqual({ path, query });
  });

  it.each([
    ['http://cdn.example.com/subscriptions/S?apiVersion=1.0', '/subscriptions/S', 'apiVersion=1.0'],
    ['HTTPS://API.example.com:8443/subscriptions/S/endpoints', '/subscriptions/S/endpoints', ''],
    ['http://user@host/a?b=1', '/a', 'b=1'],
    ['http://host', '/', ''],
    ['http://host?apiVersion=1.0', '/', 'apiVersion=1.0'],
    ['http://host#frag', '/', ''],
  ])('splits the absolute-form %s, dropping scheme and host', (target, path, query) => {
    expect(splitTarget(target)).toEqual({ path, query });
  });
});
