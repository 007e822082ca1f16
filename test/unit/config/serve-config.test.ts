/** Settings checked at start like every setting: --public-url, --replay-cache (issue 9, items 14 and 15), --edge-host. */
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { problemsOf } from './config-problems.js';

const load = (publicUrl: string | undefined) => loadServeConfig(publicUrl === undefined ? {} : { publicUrl }, {});

describe('--public-url', () => {
  it('is unset by default', () => {
    expect(load(undefined).publicUrl).toBeUndefined();
  });

  it.each([
    ['https://api.example.com', 'https://api.example.com'],
    ['https://api.example.com/', 'https://api.example.com'],
    ['http://10.0.0.5:7070', 'http://10.0.0.5:7070'],
    ['HTTPS://API.example.com/cdn/', 'https://api.example.com/cdn'],
  ])('takes %s as %s', (value, expected) => {
    expect(load(value).publicUrl).toBe(expected);
  });

  it('is read from MOONCDN_PUBLIC_URL too', () => {
    expect(loadServeConfig({}, { MOONCDN_PUBLIC_URL: 'https://env.example.com' }).publicUrl).toBe('https://env.example.com');
  });

  it.each([
    'api.example.com',
    '/mooncdn',
    'ftp://api.example.com',
    'https://api.example.com/?a=1',
    'https://api.example.com/#x',
    'https://user:pw@api.example.com',
    'https://',
  ])('refuses %s, saying what it must be', (value) => {
    expect(problemsOf(() => load(value))).toEqual([
      `--public-url (MOONCDN_PUBLIC_URL) "${value}" must be an absolute http:// or https:// URL without user, query or fragment, such as https://cdn-api.example.com.`,
    ]);
  });
});

describe('--replay-cache', () => {
  it('is off by default, and on with true', () => {
    expect(loadServeConfig({}, {}).signature.replayCache).toBe(false);
    expect(loadServeConfig({ replayCache: 'true' }, {}).signature.replayCache).toBe(true);
    expect(loadServeConfig({}, { MOONCDN_REPLAY_CACHE: 'true' }).signature.replayCache).toBe(true);
  });

  it('must be true or false', () => {
    expect(problemsOf(() => loadServeConfig({ replayCache: 'sometimes' }, {}))).toEqual(['--replay-cache (MOONCDN_REPLAY_CACHE) "sometimes" must be true or false.']);
  });
});

describe('--edge-host', () => {
  it('is --host unless set, from the flag or MOONCDN_EDGE_HOST', () => {
    expect(loadServeConfig({ host: '10.0.0.5' }, {}).edgeHost).toBe('10.0.0.5');
    expect(loadServeConfig({ host: '127.0.0.1', edgeHost: '0.0.0.0' }, {})).toMatchObject({ host: '127.0.0.1', edgeHost: '0.0.0.0' });
    expect(loadServeConfig({}, { MOONCDN_EDGE_HOST: '::' }).edgeHost).toBe('::');
  });
});
