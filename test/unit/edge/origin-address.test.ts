/**
 * The origin address policy as pure logic: the deny list's syntax, what `private` covers
 * (IPv4-mapped IPv6 forms included), and the server's own listeners, refused by address and
 * port whatever the list says.
 */
import { describe, expect, it } from 'vitest';
import { OriginAddressPolicy, parseDenyList, type DeniedRange } from '../../../src/edge/policy/origin-address.js';

function ranges(text: string): readonly DeniedRange[] {
  const parsed = parseDenyList(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.ranges;
}

const policy = (text: string, local: readonly string[] = []) => new OriginAddressPolicy(ranges(text), () => local);

describe('the deny list', () => {
  it('takes CIDR ranges and single addresses, comma-separated, spaces and empty entries ignored', () => {
    expect(ranges(' 10.0.0.0/8, ,192.0.2.7 , fd00::/8,2001:db8::1')).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '192.0.2.7', prefix: 32, family: 'ipv4' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '2001:db8::1', prefix: 128, family: 'ipv6' },
    ]);
    expect(ranges('')).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0/8', 'example.com', '10.0.0.0/', '10.0.0.0/-1', 'privat'])('refuses "%s", saying what to give instead', (entry) => {
    const parsed = parseDenyList(`127.0.0.0/8,${entry}`);
    expect(parsed).toEqual({ problem: expect.stringContaining(`"${entry}" is not a CIDR range (such as 10.0.0.0/8 or fc00::/7)`) as string });
  });

  it('denies exactly the listed ranges', () => {
    const p = policy('10.0.0.0/8, 2001:db8::/32');
    expect(p.refusal('10.255.0.1', 80)).toBe('denied-range');
    expect(p.refusal('11.0.0.1', 80)).toBeUndefined();
    expect(p.refusal('2001:db8::5', 443)).toBe('denied-range');
    expect(p.refusal('2001:db9::5', 443)).toBeUndefined();
    expect(p.refusal('127.0.0.1', 80)).toBeUndefined();
  });

  it('denies nothing when empty, so origins on 127.0.0.1 work in development', () => {
    expect(policy('').refusal('127.0.0.1', 8081)).toBeUndefined();
  });
});

describe('the keyword private', () => {
  const p = policy('PRIVATE');

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'all of 127/8'],
    ['10.1.2.3', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['169.254.169.254', 'the cloud metadata service'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['::1', 'IPv6 loopback'],
    ['::', 'unspecified'],
    ['fd12:3456::1', 'unique local'],
    ['fc00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
    ['::ffff:10.0.0.1', 'IPv4-mapped RFC 1918'],
  ])('denies %s (%s)', (address) => {
    expect(p.refusal(address, 80)).toBe('denied-range');
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(p.refusal(address, 80)).toBeUndefined();
  });
});

describe("the server's own listeners", () => {
  it('are refused on their address and port with an empty list, and on the unspecified addresses', () => {
    const p = policy('');
    p.addListener('127.0.0.1', 7070);
    expect(p.refusal('127.0.0.1', 7070)).toBe('own-listener');
    expect(p.refusal('::ffff:127.0.0.1', 7070)).toBe('own-listener');
    expect(p.refusal('0.0.0.0', 7070)).toBe('own-listener');
    expect(p.refusal('::', 7070)).toBe('own-listener');
    // Another port on the same address is an origin like any other.
    expect(p.refusal('127.0.0.1', 8081)).toBeUndefined();
  });

  it('bound to 0.0.0.0 or ::, are refused on every local address on that port', () => {
    const p = policy('', ['192.0.2.10', 'fe80::1%eth0']);
    p.addListener('0.0.0.0', 8080);
    p.addListener('::', 7070);
    for (const port of [8080, 7070]) {
      expect(p.refusal('127.0.0.1', port)).toBe('own-listener');
      expect(p.refusal('127.0.1.1', port)).toBe('own-listener');
      expect(p.refusal('::1', port)).toBe('own-listener');
      expect(p.refusal('192.0.2.10', port)).toBe('own-listener');
      expect(p.refusal('::ffff:192.0.2.10', port)).toBe('own-listener');
      expect(p.refusal('fe80::1', port)).toBe('own-listener');
    }
    expect(p.refusal('192.0.2.11', 8080)).toBeUndefined();
    expect(p.refusal('192.0.2.10', 8081)).toBeUndefined();
  });

  it('rank after the list: a denied range is reported as such', () => {
    const p = policy('127.0.0.0/8');
    p.addListener('127.0.0.1', 7070);
    expect(p.refusal('127.0.0.1', 7070)).toBe('denied-range');
  });
});
