import { describe, expect, it } from 'vitest';
import { isHostname, parseHostHeader, parseOriginAddress } from '../../../src/domain/hostname.js';

describe('isHostname', () => {
  it.each(['cdn.example.com', 'localhost', 'A-B.Example.COM', 'xn--bcher-kva.example', '0.example', `${'a'.repeat(63)}.com`])(
    'accepts %s',
    (name) => {
      expect(isHostname(name)).toBe(true);
    },
  );

  it('accepts 253 characters and refuses 254', () => {
    const name = (lastLabel: number) => [...Array.from({ length: 3 }, () => 'a'.repeat(63)), 'b'.repeat(lastLabel)].join('.');
    expect(name(61)).toHaveLength(253);
    expect(isHostname(name(61))).toBe(true);
    expect(isHostname(name(62))).toBe(false);
  });

  it.each([
    '',
    '-a.example.com',
    'a-.example.com',
    'a..example.com',
    '.example.com',
    'example.com.',
    'a_b.example.com',
    '*.example.com',
    'café.example.com',
    'a b.com',
    'http://example.com',
    'example.com:80',
    `${'a'.repeat(64)}.com`,
  ])('refuses %j', (name) => {
    expect(isHostname(name)).toBe(false);
  });
});

describe('parseOriginAddress', () => {
  it.each([
    ['origin.example.com', { host: 'origin.example.com', port: undefined, kind: 'name' }],
    ['Origin.Example.COM:8080', { host: 'origin.example.com', port: 8080, kind: 'name' }],
    ['localhost:1', { host: 'localhost', port: 1, kind: 'name' }],
    ['10.0.0.1', { host: '10.0.0.1', port: undefined, kind: 'ipv4' }],
    ['10.0.0.1:65535', { host: '10.0.0.1', port: 65535, kind: 'ipv4' }],
    ['2001:db8::1', { host: '2001:db8::1', port: undefined, kind: 'ipv6' }],
    ['2001:DB8::A', { host: '2001:db8::a', port: undefined, kind: 'ipv6' }],
    ['::1', { host: '::1', port: undefined, kind: 'ipv6' }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: undefined, kind: 'ipv6' }],
    ['[2001:DB8::1]:8443', { host: '2001:db8::1', port: 8443, kind: 'ipv6' }],
  ])('parses %s', (value, expected) => {
    expect(parseOriginAddress(value)).toEqual(expected);
  });

  const problem = (value: string): string => {
    const parsed = parseOriginAddress(value);
    if (typeof parsed !== 'string') throw new Error(`expected ${value} to be refused, got ${JSON.stringify(parsed)}`);
    return parsed;
  };

  it.each([
    'origin.example.com:0',
    'origin.example.com:65536',
    'origin.example.com:',
    'origin.example.com:http',
    'origin.example.com:-1',
    '10.0.0.1:99999',
    '[2001:db8::1]:0',
    '[2001:db8::1]:',
    '[2001:db8::1]:x',
  ])('refuses the port of %s', (value) => {
    expect(problem(value)).toMatch(/invalid port; use 1 to 65535/);
    expect(problem(value)).toContain(`"${value}"`);
  });

  it.each(['http://origin.example.com', 'HTTPS://origin.example.com:443', 'ftp://10.0.0.1'])('refuses the scheme in %s', (value) => {
    expect(problem(value)).toContain('without a scheme');
  });

  it.each(['256.0.0.1', '10.0.0', '10.0.0.1.2', '999.999.999.999:80'])('refuses the bad IPv4 address %s', (value) => {
    expect(problem(value)).toContain('not a valid IPv4 address');
  });

  it.each(['[origin.example.com]', '[10.0.0.1]:80', '[2001:db8::zz]'])('refuses %s, which has no IPv6 address in brackets', (value) => {
    expect(problem(value)).toContain('not an IPv6 address');
  });

  it.each(['origin_example.com', 'origin.example.com/path', 'user@origin.example.com', '2001:db8::1::2:80', '*.example.com'])(
    'refuses %s, which is not a host',
    (value) => {
      expect(problem(value)).toContain(`"${value}" is not a valid host name`);
    },
  );

  it.each(['', ' origin.example.com', 'origin.example.com ', 'origin example.com'])('refuses %j, which is empty or has spaces', (value) => {
    expect(typeof parseOriginAddress(value)).toBe('string');
  });
});

describe('parseHostHeader', () => {
  it.each([
    ['Static.Example.com', 'static.example.com'],
    ['static.example.com:8080', 'static.example.com:8080'],
    ['10.0.0.1', '10.0.0.1'],
    ['[2001:DB8::1]:443', '[2001:db8::1]:443'],
  ])('accepts %s as %s', (value, expected) => {
    expect(parseHostHeader(value)).toBe(expected);
  });

  it.each(['', 'http://static.example.com', 'static.example.com:0', 'static example.com', 'static.example.com/'])('refuses %j', (value) => {
    expect(parseHostHeader(value)).toBeUndefined();
  });
});
