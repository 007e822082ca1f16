import { describe, expect, it } from 'vitest';
import type { AccessControlPolicy, RefererControlType } from '../../../src/domain/access-control.js';
import { normalizePath } from '../../../src/domain/url-path.js';
import { compileAccess, globMatcher } from '../../../src/edge/policy/access.js';

const ips = (...forbiddenIps: string[]) =>
  compileAccess({ forbiddenIps, refererControl: { enabled: false, pathPatterns: [], referers: [], type: 'BlockList' } });

const referers = (type: RefererControlType, list: string[], pathPatterns: string[] = [], enabled = true) => {
  const policy: AccessControlPolicy = { forbiddenIps: [], refererControl: { enabled, pathPatterns, referers: list, type } };
  return compileAccess(policy);
};

describe('ForbiddenIps: IPv4', () => {
  const access = ips('192.0.2.7', '10.0.0.0/8', '198.51.100.0/24');

  it('blocks a listed address and nothing next to it', () => {
    expect(access.ipBlocked('192.0.2.7')).toBe(true);
    expect(access.ipBlocked('192.0.2.8')).toBe(false);
    expect(access.ipBlocked('192.0.2.6')).toBe(false);
  });

  it('blocks every address of a CIDR range, up to its edges', () => {
    expect(access.ipBlocked('10.0.0.0')).toBe(true);
    expect(access.ipBlocked('10.255.255.255')).toBe(true);
    expect(access.ipBlocked('11.0.0.0')).toBe(false);
    expect(access.ipBlocked('9.255.255.255')).toBe(false);
    expect(access.ipBlocked('198.51.100.200')).toBe(true);
    expect(access.ipBlocked('198.51.101.1')).toBe(false);
  });

  it('blocks an IPv4-mapped IPv6 client address (a dual-stack socket) like the IPv4 one', () => {
    expect(access.ipBlocked('::ffff:10.1.2.3')).toBe(true);
    expect(access.ipBlocked('::ffff:192.0.2.7')).toBe(true);
    expect(access.ipBlocked('::ffff:192.0.2.8')).toBe(false);
    expect(access.ipBlocked('::ffff:11.1.2.3')).toBe(false);
  });

  it('a /0 range blocks every IPv4 address', () => {
    const all = ips('0.0.0.0/0');
    expect(all.ipBlocked('203.0.113.9')).toBe(true);
    expect(all.ipBlocked('::ffff:203.0.113.9')).toBe(true);
  });
});

describe('ForbiddenIps: IPv6', () => {
  const access = ips('2001:db8::1', '2001:db8:aaaa::/48');

  it('blocks a listed address, however it is written', () => {
    expect(access.ipBlocked('2001:db8::1')).toBe(true);
    expect(access.ipBlocked('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(access.ipBlocked('2001:DB8::1')).toBe(true);
    expect(access.ipBlocked('2001:db8::2')).toBe(false);
  });

  it('blocks every address of a CIDR range and none outside it', () => {
    expect(access.ipBlocked('2001:db8:aaaa::')).toBe(true);
    expect(access.ipBlocked('2001:db8:aaaa:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(access.ipBlocked('2001:db8:aaab::1')).toBe(false);
  });

  it('an IPv6 rule does not block IPv4 clients', () => {
    expect(access.ipBlocked('192.0.2.1')).toBe(false);
    expect(access.ipBlocked('::ffff:192.0.2.1')).toBe(false);
  });

  it('an IPv4-mapped entry blocks the IPv4 client it maps', () => {
    const mapped = ips('::ffff:192.0.2.9');
    expect(mapped.ipBlocked('192.0.2.9')).toBe(true);
    expect(mapped.ipBlocked('::ffff:192.0.2.9')).toBe(true);
    expect(mapped.ipBlocked('192.0.2.10')).toBe(false);
  });
});

describe('ForbiddenIps: nothing listed', () => {
  it('blocks nobody', () => {
    const access = ips();
    expect(access.ipBlocked('192.0.2.7')).toBe(false);
    expect(access.ipBlocked('::1')).toBe(false);
    expect(access.ipBlocked('')).toBe(false);
  });

  it('an unparseable client address is not blocked and does not throw', () => {
    expect(ips('10.0.0.0/8').ipBlocked('not-an-address')).toBe(false);
  });
});

describe('referer control: AllowList', () => {
  const access = referers('AllowList', ['www.example.com', '*.cdn.example.com']);

  it('allows a listed referring host, whatever the scheme, port, path and case', () => {
    expect(access.refererAllowed('/a.jpg', 'https://www.example.com/page')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'http://www.example.com:8080/x?y=1')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'https://WWW.Example.COM/')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'https://img.cdn.example.com/')).toBe(true);
  });

  it('refuses any other referring host', () => {
    expect(access.refererAllowed('/a.jpg', 'https://evil.test/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'https://example.com/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'https://cdn.example.com/')).toBe(false);
  });

  it('matches the host only: a listed host in the path or a longer host is refused', () => {
    expect(access.refererAllowed('/a.jpg', 'https://evil.test/www.example.com')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'https://www.example.com.evil.test/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'https://wwwxexample.com/')).toBe(false);
  });

  it('allows a request with no Referer, or an empty one', () => {
    expect(access.refererAllowed('/a.jpg', undefined)).toBe(true);
    expect(access.refererAllowed('/a.jpg', '')).toBe(true);
  });
});

describe('referer control: BlockList', () => {
  const access = referers('BlockList', ['*.leech.test', 'bad.test']);

  it('refuses a listed referring host', () => {
    expect(access.refererAllowed('/a.jpg', 'https://bad.test/page')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'http://x.leech.test/')).toBe(false);
  });

  it('allows any other referring host', () => {
    expect(access.refererAllowed('/a.jpg', 'https://good.test/')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'https://notbad.test/')).toBe(true);
  });

  it('allows a request with no Referer', () => {
    expect(access.refererAllowed('/a.jpg', undefined)).toBe(true);
  });
});

describe('referer control: an entry written as a URL matches the pages under it', () => {
  const access = referers('AllowList', ['http://ok.test', 'https://shop.test/cart/']);

  it('matches the URL itself and what follows it after "/", "?" or "#"', () => {
    expect(access.refererAllowed('/a.jpg', 'http://ok.test/page')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'http://ok.test')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'http://ok.test?q=1')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'http://OK.test/#top')).toBe(true);
    expect(access.refererAllowed('/a.jpg', 'https://shop.test/cart/item/1')).toBe(true);
  });

  it('does not match another host, port, scheme or path that merely begins the same', () => {
    expect(access.refererAllowed('/a.jpg', 'http://ok.test.evil.test/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'http://ok.testing/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'http://ok.test:8080/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'https://ok.test/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'https://shop.test/cartx')).toBe(false);
  });
});

describe('referer control: patterns with "://" match the whole referring URL', () => {
  const access = referers('AllowList', ['https://www.example.com/shop/*']);

  it('allows a URL the pattern matches', () => {
    expect(access.refererAllowed('/a.jpg', 'https://www.example.com/shop/cart')).toBe(true);
  });

  it('refuses the same host under another path or scheme', () => {
    expect(access.refererAllowed('/a.jpg', 'https://www.example.com/blog/')).toBe(false);
    expect(access.refererAllowed('/a.jpg', 'http://www.example.com/shop/cart')).toBe(false);
  });
});

describe('referer control: PathPatterns', () => {
  const access = referers('AllowList', ['www.example.com'], ['/img/*', '*.mp4']);

  it('applies to the paths the patterns match', () => {
    expect(access.refererAllowed('/img/a.jpg', 'https://evil.test/')).toBe(false);
    expect(access.refererAllowed('/video/a.mp4', 'https://evil.test/')).toBe(false);
    expect(access.refererAllowed('/img/a.jpg', 'https://www.example.com/')).toBe(true);
  });

  it('leaves every other path alone', () => {
    expect(access.refererAllowed('/index.html', 'https://evil.test/')).toBe(true);
    expect(access.refererAllowed('/imgx/a.jpg', 'https://evil.test/')).toBe(true);
    expect(access.refererAllowed('/a.mp4.txt', 'https://evil.test/')).toBe(true);
  });

  it('with no patterns, applies to every path', () => {
    const everywhere = referers('BlockList', ['bad.test']);
    expect(everywhere.refererAllowed('/anything/at/all', 'https://bad.test/')).toBe(false);
  });

  it('matches the path the edge normalises (non-ASCII characters)', () => {
    const chinese = referers('AllowList', ['www.example.com'], ['/图片/*']);
    expect(chinese.refererAllowed(normalizePath('/图片/a.jpg'), 'https://evil.test/')).toBe(false);
    expect(chinese.refererAllowed(normalizePath('/图片/a.jpg'), 'https://www.example.com/')).toBe(true);
  });
});

describe('referer control: disabled', () => {
  it('allows every referer', () => {
    const access = referers('AllowList', ['www.example.com'], [], false);
    expect(access.refererAllowed('/a.jpg', 'https://evil.test/')).toBe(true);
  });
});

describe('globMatcher', () => {
  it('"*" matches any run of characters, including none', () => {
    expect(globMatcher('/img/*')('/img/')).toBe(true);
    expect(globMatcher('/img/*')('/img/a/b.jpg')).toBe(true);
    expect(globMatcher('*.jpg')('/a.jpg')).toBe(true);
    expect(globMatcher('*')('')).toBe(true);
    expect(globMatcher('a*b*c')('abc')).toBe(true);
    expect(globMatcher('a*b*c')('a-b-b-c')).toBe(true);
    expect(globMatcher('*ab*ab*')('xabab')).toBe(true);
    expect(globMatcher('a*a')('a')).toBe(false);
    expect(globMatcher('a**b')('ab')).toBe(true);
  });

  it('everything else is literal, in any case, and the whole string must match', () => {
    expect(globMatcher('a.b')('axb')).toBe(false);
    expect(globMatcher('/a+(b)?')('/a+(b)?')).toBe(true);
    expect(globMatcher('/img/*')('/x/img/a')).toBe(false);
    expect(globMatcher('*.jpg')('/a.jpg.png')).toBe(false);
    expect(globMatcher('*.Example.COM')('www.example.com')).toBe(true);
    expect(globMatcher('www.example.com')('www.example.com.evil')).toBe(false);
  });

  it('answers at once for a pattern of many stars and a long text, which a backtracking regular expression never did', () => {
    const access = referers('AllowList', ['http*://*a*a*a*a*a*a*b']);
    expect(access.refererAllowed('/a.jpg', `http://${'a'.repeat(10_000)}`)).toBe(false);
    expect(access.refererAllowed('/a.jpg', `http://${'a'.repeat(10_000)}b`)).toBe(true);
  });
});
