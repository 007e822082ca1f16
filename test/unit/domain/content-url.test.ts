import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, parseContentUrl, type ContentKind } from '../../../src/domain/content-url.js';
import { expectApiError } from '../expect-api-error.js';

const DOMAIN = 'cdn.example.com';

function parse(url: unknown, kind: ContentKind = 'file', field = 'Files[0]') {
  return parseContentUrl(url, kind, DOMAIN, field);
}

function expectMalicious(url: string, kind: ContentKind, ...mentions: string[]): void {
  const error = expectApiError(() => parse(url, kind, 'Files[3]'), 'MaliciousItemPathDetected', 400, 'Files[3]', ...mentions);
  expect(error.message).toContain('nothing of this request was applied');
}

function expectInvalid(url: unknown, kind: ContentKind, ...mentions: string[]): void {
  expectApiError(() => parse(url, kind, 'Directories[1]'), 'ParameterInvalid', 400, 'Directories[1]', ...mentions);
}

describe('parseContentUrl: escapes and smuggling are MaliciousItemPathDetected', () => {
  it.each([
    ['raw', 'http://cdn.example.com/a/../b.jpg'],
    ['at the end', 'http://cdn.example.com/a/..'],
    ['percent-encoded', 'http://cdn.example.com/a/%2e%2e/b.jpg'],
    ['upper-case escapes', 'http://cdn.example.com/a/%2E%2E/b.jpg'],
    ['mixed-case escapes', 'http://cdn.example.com/a/%2E%2e/b.jpg'],
    ['half encoded', 'http://cdn.example.com/a/.%2e/b.jpg'],
    ['double-encoded', 'http://cdn.example.com/a/%252e%252e/b.jpg'],
    ['triple-encoded', 'http://cdn.example.com/a/%25252e%25252e/b.jpg'],
  ])('refuses a ".." segment, %s', (_, url) => {
    expectMalicious(url, 'file', '".."');
  });

  it.each([
    ['four times', 'http://cdn.example.com/a/%2525252e%2525252e/b.jpg'],
    ['six times', 'http://cdn.example.com/a/%252525252e%252525252e/b.jpg'],
    ['many times over', `http://cdn.example.com/a/%${'25'.repeat(300)}2e%${'25'.repeat(300)}2e/b.jpg`],
  ])('decodes to a fixed point: refuses a ".." segment encoded %s', (_, url) => {
    expectMalicious(url, 'file', '".."');
  });

  it.each([
    ['"..;"', 'http://cdn.example.com/a/..;/b.jpg'],
    ['"..;" with a parameter', 'http://cdn.example.com/a/..;jsessionid=1/b.jpg'],
    ['"..;" encoded', 'http://cdn.example.com/a/%2e%2e%3b/b.jpg'],
    ['"..;" double-encoded', 'http://cdn.example.com/a/%252e%252e%253bx/b.jpg'],
    ['".;"', 'http://cdn.example.com/a/.;/b.jpg'],
    ['".;" with a parameter', 'http://cdn.example.com/.;x=1/b.jpg'],
  ])('refuses a %s segment, which Tomcat and Jetty read as a dot segment', (_, url) => {
    expectMalicious(url, 'file', 'path parameter');
  });

  it('refuses a "..;" segment in a directory too', () => {
    expectMalicious('http://cdn.example.com/a/..;/', 'directory', 'path parameter');
  });

  it('refuses a ".." segment in a directory too', () => {
    expectMalicious('http://cdn.example.com/a/%2e%2e/', 'directory', '".."');
  });

  it.each([
    'http://cdn.example.com/a%2Fb.jpg',
    'http://cdn.example.com/a%2fb.jpg',
    'http://cdn.example.com/a%252Fb.jpg',
    'http://cdn.example.com/a/%2e%2e%2fetc/passwd',
  ])('refuses an encoded slash in %s', (url) => {
    expectMalicious(url, 'file', 'slash');
  });

  it.each([
    'http://cdn.example.com/a\\b.jpg',
    'http://cdn.example.com/a\\..\\b.jpg',
    'http://cdn.example.com/a%5Cb.jpg',
    'http://cdn.example.com/a%5cb.jpg',
    'http://cdn.example.com/a%255Cb.jpg',
  ])('refuses a backslash in %s', (url) => {
    expectMalicious(url, 'file', 'backslash');
  });

  it.each([
    ['raw NUL', 'http://cdn.example.com/a\u0000.jpg'],
    ['raw CR LF', 'http://cdn.example.com/a.jpg\r\nX-Injected: 1'],
    ['raw LF', 'http://cdn.example.com/a\n.jpg'],
    ['raw tab', 'http://cdn.example.com/a\t.jpg'],
    ['%00', 'http://cdn.example.com/a%00.jpg'],
    ['%0d%0a', 'http://cdn.example.com/a.jpg%0d%0aX-Injected:%201'],
    ['%0D%0A', 'http://cdn.example.com/a%0D%0A.jpg'],
    ['double-encoded %0a', 'http://cdn.example.com/a%250a.jpg'],
    ['%7F', 'http://cdn.example.com/a%7F.jpg'],
    ['control character in the query', 'http://cdn.example.com/a.jpg?x=%0d%0a'],
  ])('refuses a control character: %s', (_, url) => {
    expectMalicious(url, 'file', 'control character');
  });

  it('does not echo a raw control character in the message', () => {
    const error = expectApiError(() => parse('http://cdn.example.com/a\r\n.jpg'), 'MaliciousItemPathDetected', 400);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain('\\x0d\\x0a');
  });

  it.each([
    ['user', 'http://user@cdn.example.com/a.jpg', 'user information'],
    ['user and password', 'https://user:secret@cdn.example.com/a.jpg', 'user information'],
    ['another host as user', 'http://cdn.example.com@evil.com/a.jpg', 'user information'],
    ['encoded @', 'http://evil.com%40cdn.example.com/a.jpg', 'user information'],
    ['backslash before @', 'http://evil.com\\@cdn.example.com/', 'backslash'],
  ])('refuses user-info: %s', (_, url, mention) => {
    expectMalicious(url, 'file', mention);
  });

  it.each([
    'http://evil.com/a.jpg',
    'http://example.com/a.jpg',
    'http://sub.cdn.example.com/a.jpg',
    'http://cdn.example.com.evil.com/a.jpg',
    'http://127.0.0.1/a.jpg',
    'http://[::1]/a.jpg',
  ])('refuses the foreign host of %s and names both hosts', (url) => {
    expectMalicious(url, 'file', 'not this endpoint\'s domain "cdn.example.com"');
  });

  it.each([
    ['file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)'],
    ['ftp', 'ftp://cdn.example.com/a.jpg'],
    ['gopher', 'gopher://cdn.example.com/a.jpg'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
  ])('refuses the %s scheme', (scheme, url) => {
    expectMalicious(url, 'file', `"${scheme}"`, 'only http and https');
  });
});

describe('parseContentUrl: other mistakes are ParameterInvalid', () => {
  it.each([
    '/a.jpg',
    'a.jpg',
    'cdn.example.com/a.jpg',
    '//cdn.example.com/a.jpg',
    'http:cdn.example.com/a.jpg',
    'https:/cdn.example.com/a.jpg',
  ])('refuses the relative URL %s and shows the absolute form', (url) => {
    expectInvalid(url, 'file', 'not an absolute URL', '://cdn.example.com/path');
  });

  it('reads a directory sent without its trailing "/" as the directory (CONTRACT §7), echoing the URL as sent', () => {
    expect(parse('http://cdn.example.com/images', 'directory')).toEqual({ url: 'http://cdn.example.com/images', path: '/images/', query: '' });
    expect(parse('http://cdn.example.com', 'directory')).toEqual({ url: 'http://cdn.example.com', path: '/', query: '' });
    expect(parse('http://cdn.example.com//img//', 'directory').path).toBe('/img/');
    expect(parse('http://cdn.example.com//a.png', 'file').path).toBe('/a.png');
    expectMalicious('http://cdn.example.com/a/..', 'directory', '".."');
  });

  it('refuses a file that ends in "/" and says to put it in Directories', () => {
    expectInvalid('http://cdn.example.com/images/', 'file', 'Directories');
  });

  it('refuses a directory with a query', () => {
    expectInvalid('http://cdn.example.com/images/?v=1', 'directory', 'query');
  });

  it.each(['http://cdn.example.com/a.jpg#top', 'http://cdn.example.com/a.jpg?v=1#top', 'http://cdn.example.com#top'])(
    'refuses the fragment in %s',
    (url) => {
      expectInvalid(url, 'file', 'fragment');
    },
  );

  it.each(['http://cdn.example.com/a b.jpg', 'http://cdn.example.com/a.jpg?q=a b'])('refuses the raw space in %s', (url) => {
    expectInvalid(url, 'file', 'space', '%20');
  });

  it.each(['http://cdn.example.com/./a.jpg', 'http://cdn.example.com/a/%2e/b.jpg'])('refuses the "." segment in %s', (url) => {
    expectInvalid(url, 'file', '"."');
  });

  it.each([
    'http://cdn.example.com:0/a.jpg',
    'http://cdn.example.com:65536/a.jpg',
    'http://cdn.example.com:http/a.jpg',
    'http:///a.jpg',
    'http://cdn.example.com:/a.jpg',
  ])('refuses the bad host or port of %s', (url) => {
    expectInvalid(url, 'file', 'invalid host or port');
  });

  it.each(['http://cdn.example.com', 'http://cdn.example.com?v=1'])('refuses the file %s, which has no path', (url) => {
    expectInvalid(url, 'file', 'has no path');
  });

  it('refuses a URL over the length limit, and takes one at the limit', () => {
    const prefix = 'http://cdn.example.com/';
    const atLimit = prefix + 'a'.repeat(MAX_URL_LENGTH - prefix.length);
    expect(parse(atLimit).path).toHaveLength(MAX_URL_LENGTH - 'http://cdn.example.com'.length);
    const error = expectApiError(() => parse(`${atLimit}b`), 'ParameterInvalid', 400, 'Files[0]', `longer than ${MAX_URL_LENGTH}`);
    expect(error.message.length).toBeLessThan(400);
  });

  it.each([
    ['in the path', 'http://cdn.example.com/a\ud800.jpg'],
    ['(a low one) in the path', 'http://cdn.example.com/a\udc00.jpg'],
    ['in the query', 'http://cdn.example.com/a.jpg?q=\udbff'],
    ['in the host', 'http://cdn\ud800.example.com/a.jpg'],
    ['at the end', 'http://cdn.example.com/a.jpg\ud83d'],
  ])('refuses a lone UTF-16 surrogate %s, naming the field', (_, url) => {
    expectInvalid(url, 'file', 'lone UTF-16 surrogate');
  });

  it('takes a surrogate pair (an emoji) and encodes it as UTF-8', () => {
    expect(parse('http://cdn.example.com/\ud83d\ude00.jpg').path).toBe('/%F0%9F%98%80.jpg');
  });

  it.each([[42], [null], [undefined], [{ Url: 'http://cdn.example.com/a.jpg' }], [['http://cdn.example.com/a.jpg']]])(
    'refuses %j, which is not a string',
    (value) => {
      expectInvalid(value, 'file', 'must be a string URL');
    },
  );
});

describe('parseContentUrl: good URLs', () => {
  it('returns the URL as sent, its path and its query', () => {
    expect(parse('http://cdn.example.com/img/a.jpg?v=1&w=2')).toEqual({
      url: 'http://cdn.example.com/img/a.jpg?v=1&w=2',
      path: '/img/a.jpg',
      query: 'v=1&w=2',
    });
  });

  it.each([
    ['https', 'https://cdn.example.com/a.jpg'],
    ['a port', 'http://cdn.example.com:8080/a.jpg'],
    ['port 65535', 'https://cdn.example.com:65535/a.jpg'],
    ['an upper-case host', 'http://CDN.Example.COM/a.jpg'],
    ['an upper-case scheme', 'HTTPS://cdn.example.com/a.jpg'],
    ['a trailing dot on the host', 'http://cdn.example.com./a.jpg'],
    ['a trailing dot and a port', 'http://cdn.example.com.:80/a.jpg'],
    ['dots inside names', 'http://cdn.example.com/a..b/...jpg'],
    ['an encoded dot in a name', 'http://cdn.example.com/a%2ejpg'],
    ['an empty query', 'http://cdn.example.com/a.jpg?'],
    ['a query with slashes and dots', 'http://cdn.example.com/a.jpg?next=/../x'],
  ])('accepts a file with %s', (_, url) => {
    expect(parse(url).url).toBe(url);
  });

  it('keeps the path case and the query as sent', () => {
    expect(parse('http://CDN.example.com/Img/A.JPG?V=%41')).toMatchObject({ path: '/Img/A.JPG', query: 'V=%41' });
  });

  it.each(['http://cdn.example.com/', 'https://cdn.example.com:443/images/', 'http://cdn.example.com/a/b/c/'])(
    'accepts the directory %s',
    (url) => {
      expect(parse(url, 'directory', 'Directories[0]')).toMatchObject({ url, query: '' });
    },
  );

  it.each([
    ['%7E decoded to ~', 'http://cdn.example.com/a%7Eb.jpg', '/a~b.jpg'],
    ['%7e decoded to ~', 'http://cdn.example.com/a%7eb.jpg', '/a~b.jpg'],
    ['~ kept', 'http://cdn.example.com/a~b.jpg', '/a~b.jpg'],
    ['unreserved escapes decoded', 'http://cdn.example.com/%41%2D%5F.jpg', '/A-_.jpg'],
    ['other escapes upper-cased', 'http://cdn.example.com/a%2bb%3fc.jpg', '/a%2Bb%3Fc.jpg'],
    ['%20 kept', 'http://cdn.example.com/a%20b.jpg', '/a%20b.jpg'],
    ['raw non-ASCII as UTF-8 escapes', 'http://cdn.example.com/café/图.jpg', '/caf%C3%A9/%E5%9B%BE.jpg'],
    ['lower-case UTF-8 escapes upper-cased', 'http://cdn.example.com/caf%c3%a9/%e5%9b%be.jpg', '/caf%C3%A9/%E5%9B%BE.jpg'],
  ])('normalises the path: %s', (_, url, path) => {
    expect(parse(url).path).toBe(path);
  });

  it('gives one path for a raw and an encoded spelling of the same file', () => {
    expect(parse('http://cdn.example.com/über~1.jpg').path).toBe(parse('http://cdn.example.com/%C3%BCber%7E1.jpg').path);
  });
});
