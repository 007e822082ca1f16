import { describe, expect, it } from 'vitest';
import { parsePreloadRequest, parsePurgeRequest } from '../../../src/domain/content-request.js';
import { expectApiError } from '../expect-api-error.js';

const DOMAIN = 'cdn.example.com';
const MAX = 5;
const file = (name: string) => `http://cdn.example.com/${name}`;

describe('parsePurgeRequest', () => {
  it('returns files then directories, each with its kind and normal path', () => {
    const items = parsePurgeRequest(
      { Files: [file('a%7e.jpg'), file('b.css?v=2')], Directories: [file('img/'), 'https://CDN.example.com/']},
      DOMAIN,
      MAX,
    );
    expect(items).toEqual([
      { url: file('a%7e.jpg'), path: '/a~.jpg', query: '', kind: 'file' },
      { url: file('b.css?v=2'), path: '/b.css', query: 'v=2', kind: 'file' },
      { url: file('img/'), path: '/img/', query: '', kind: 'directory' },
      { url: 'https://CDN.example.com/', path: '/', query: '', kind: 'directory' },
    ]);
  });

  it('takes only Files or only Directories', () => {
    expect(parsePurgeRequest({ Files: [file('a.jpg')] }, DOMAIN, MAX)).toHaveLength(1);
    expect(parsePurgeRequest({ Directories: [file('d/')] }, DOMAIN, MAX)).toMatchObject([{ kind: 'directory' }]);
  });

  it.each([[{}], [{ Files: [] }], [{ Files: [], Directories: [] }]])('refuses %j, which lists no URL', (input) => {
    expectApiError(() => parsePurgeRequest(input, DOMAIN, MAX), 'ParameterMissing', 400, 'Files', 'Directories');
  });

  it('counts files and directories together against the limit', () => {
    const files = [1, 2, 3].map((i) => file(`${i}.jpg`));
    const directories = [1, 2].map((i) => file(`${i}/`));
    expect(parsePurgeRequest({ Files: files, Directories: directories }, DOMAIN, MAX)).toHaveLength(MAX);
    expectApiError(
      () => parsePurgeRequest({ Files: files, Directories: [...directories, file('3/')] }, DOMAIN, MAX),
      'ParameterInvalid',
      400,
      '6 URLs',
      `at most ${MAX}`,
    );
  });

  it('names the bad file by its index in Files', () => {
    expectApiError(
      () => parsePurgeRequest({ Files: [file('a.jpg'), file('dir/')] }, DOMAIN, MAX),
      'ParameterInvalid',
      400,
      'Files[1]',
      'Directories',
    );
  });

  it('names the bad directory by its index in Directories, not in the whole request', () => {
    expectApiError(
      () => parsePurgeRequest({ Files: [file('a.jpg'), file('b.jpg')], Directories: [file('d/'), file('e/?v=1')] }, DOMAIN, MAX),
      'ParameterInvalid',
      400,
      'Directories[1]',
      'must not have a query',
    );
  });

  it('refuses the whole request when one URL is malicious', () => {
    expectApiError(
      () => parsePurgeRequest({ Files: [file('a.jpg')], Directories: [file('d/'), 'http://evil.com/'] }, DOMAIN, MAX),
      'MaliciousItemPathDetected',
      400,
      'Directories[1]',
      'evil.com',
    );
  });

  it('refuses a URL that is not a string, naming it', () => {
    const input = { Files: [file('a.jpg'), 7 as unknown as string] };
    expectApiError(() => parsePurgeRequest(input, DOMAIN, MAX), 'ParameterInvalid', 400, 'Files[1]', 'string');
  });
});

describe('parsePreloadRequest', () => {
  it('returns the files with their query, which a preload fetches', () => {
    expect(parsePreloadRequest({ Files: [file('a.jpg?w=100')] }, DOMAIN, MAX)).toEqual([
      { url: file('a.jpg?w=100'), path: '/a.jpg', query: 'w=100', kind: 'file' },
    ]);
  });

  it('refuses an empty list', () => {
    expectApiError(() => parsePreloadRequest({ Files: [] }, DOMAIN, MAX), 'ParameterMissing', 400, 'Files');
  });

  it('takes the limit, and refuses one more', () => {
    const files = Array.from({ length: MAX }, (_, i) => file(`${i}.jpg`));
    expect(parsePreloadRequest({ Files: files }, DOMAIN, MAX)).toHaveLength(MAX);
    expectApiError(
      () => parsePreloadRequest({ Files: [...files, file('x.jpg')] }, DOMAIN, MAX),
      'ParameterInvalid',
      400,
      `${MAX + 1} URLs`,
      `at most ${MAX}`,
      'preload',
    );
  });

  it('refuses a directory, naming the item', () => {
    expectApiError(() => parsePreloadRequest({ Files: [file('a.jpg'), file('img/')] }, DOMAIN, MAX), 'ParameterInvalid', 400, 'Files[1]');
  });

  it('refuses a malicious file, naming the item', () => {
    expectApiError(
      () => parsePreloadRequest({ Files: [file('a.jpg'), file('b.jpg'), file('%2e%2e/etc/passwd')] }, DOMAIN, MAX),
      'MaliciousItemPathDetected',
      400,
      'Files[2]',
    );
  });
});
