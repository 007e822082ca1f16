import { describe, expect, it } from 'vitest';
import {
  canonicalString,
  decodePercent,
  decodeQueryComponent,
  sign,
  splitQuery,
} from '../../../src/signing/index.js';

const EXAMPLE = {
  method: 'GET',
  path: '/subscriptions/S/endpoints/E/operations/O',
  query: 'apiVersion=1.0',
  requestDate: '2017-05-02 06:34:07',
};

describe('canonicalString', () => {
  it('produces the CONTRACT §2 worked example exactly', () => {
    expect(canonicalString(EXAMPLE)).toBe(
      '/subscriptions/S/endpoints/E/operations/O\r\napiVersion:1.0\r\n2017-05-02 06:34:07\r\nGET',
    );
  });

  it('signs the worked example to the HMAC computed independently with openssl', () => {
    // printf '/subscriptions/S/endpoints/E/operations/O\r\napiVersion:1.0\r\n2017-05-02 06:34:07\r\nGET' \
    //   | openssl dgst -sha256 -hmac 'XP2yZfZKbT8Hl6gQ0vN7cW1rM5sJ9dE3'
    expect(sign('XP2yZfZKbT8Hl6gQ0vN7cW1rM5sJ9dE3', canonicalString(EXAMPLE))).toBe(
      '835FCF4418ACC985FCC7DE1F8C8070C06626F748025CFC8A9004338C50F3C3A3',
    );
  });

  it('sorts parameters by name, ordinal, and joins them with ", "', () => {
    expect(
      canonicalString({
        ...EXAMPLE,
        path: '/subscriptions/S/endpoints/E/volume',
        query: 'startTime=2026-11-21T00:00:00Z&apiVersion=1.0&granularity=PerHour&endTime=2026-11-22T00:00:00Z',
      }),
    ).toBe(
      '/subscriptions/S/endpoints/E/volume\r\n' +
        'apiVersion:1.0, endTime:2026-11-22T00:00:00Z, granularity:PerHour, startTime:2026-11-21T00:00:00Z\r\n' +
        '2017-05-02 06:34:07\r\nGET',
    );
    // Ordinal: upper-case letters sort before lower-case ones.
    expect(canonicalString({ ...EXAMPLE, path: '/s', query: 'b=1&a=2&C=3' })).toBe(
      '/s\r\nC:3, a:2, b:1\r\n2017-05-02 06:34:07\r\nGET',
    );
  });

  it('decodes query names and values but keeps the path as sent', () => {
    expect(
      canonicalString({ ...EXAMPLE, path: '/s/my%20endpoint', query: 'startTime=2026-11-21T00%3A00%3A00Z&note=a+b' }),
    ).toBe('/s/my%20endpoint\r\nnote:a b, startTime:2026-11-21T00:00:00Z\r\n2017-05-02 06:34:07\r\nGET');
  });

  it('uses the first value of a repeated name', () => {
    expect(canonicalString({ ...EXAMPLE, path: '/s', query: 'x=1&apiVersion=1.0&x=2' })).toBe(
      '/s\r\napiVersion:1.0, x:1\r\n2017-05-02 06:34:07\r\nGET',
    );
  });

  it('keeps blank parameters, and an empty query line when there is no query', () => {
    expect(canonicalString({ ...EXAMPLE, path: '/s', query: 'apiVersion=1.0&foo=&bar' })).toBe(
      '/s\r\napiVersion:1.0, bar:, foo:\r\n2017-05-02 06:34:07\r\nGET',
    );
    expect(canonicalString({ ...EXAMPLE, path: '/s', query: '' })).toBe('/s\r\n\r\n2017-05-02 06:34:07\r\nGET');
  });

  it('upper-cases the method and keeps the date verbatim', () => {
    expect(canonicalString({ ...EXAMPLE, method: 'delete', requestDate: '2026-11-22T08:00:00Z' })).toBe(
      '/subscriptions/S/endpoints/E/operations/O\r\napiVersion:1.0\r\n2026-11-22T08:00:00Z\r\nDELETE',
    );
  });
});

describe('splitQuery', () => {
  it('splits into pairs in URL order, as sent, at the first "="', () => {
    expect(splitQuery('b=2&a=%3A&c=x=y&flag&blank=')).toEqual([
      { name: 'b', value: '2' },
      { name: 'a', value: '%3A' },
      { name: 'c', value: 'x=y' },
      { name: 'flag', value: '' },
      { name: 'blank', value: '' },
    ]);
  });

  it('ignores empty segments and an empty query', () => {
    expect(splitQuery('')).toEqual([]);
    expect(splitQuery('&a=1&&')).toEqual([{ name: 'a', value: '1' }]);
  });
});

describe('percent-decoding', () => {
  it('decodes UTF-8 escapes', () => {
    expect(decodePercent('caf%C3%A9%20%3A')).toBe('café :');
  });

  it('leaves + alone in paths but reads it as a space in query components', () => {
    expect(decodePercent('a+b')).toBe('a+b');
    expect(decodeQueryComponent('a+b%2B')).toBe('a b+');
  });

  it('keeps malformed escapes as they are instead of throwing, decoding the rest', () => {
    expect(decodePercent('100%')).toBe('100%');
    expect(decodePercent('%zz%20x')).toBe('%zz x');
    expect(decodePercent('%E9')).toBe('%E9'); // not UTF-8 on its own
  });
});
