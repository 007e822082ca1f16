/**
 * What every user command shares: configuration from the environment or flags, API errors
 * (Type and Message on stderr, exit 1), usage errors (exit 2 with the help), and --help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../support/server-process.js';
import { CliWorld, expectUsageError, parseJson } from './cli-world.js';

let world: CliWorld;
beforeAll(async () => {
  world = await CliWorld.start();
});
afterAll(async () => {
  await world?.stop();
});

const NO_CONFIG = { MOONCDN_API_URL: '', MOONCDN_SUBSCRIPTION_ID: '', MOONCDN_KEY_ID: '', MOONCDN_KEY_VALUE: '' };

describe('configuration', () => {
  it('nothing configured: exit 2 naming all four variables and their flags, with the help', async () => {
    const result = await runCli(['endpoint', 'list'], NO_CONFIG);
    expectUsageError(result, 'Set MOONCDN_API_URL (--api-url), MOONCDN_SUBSCRIPTION_ID (--subscription-id), MOONCDN_KEY_ID (--key-id), MOONCDN_KEY_VALUE (--key-value).', 'endpoint list');
  });

  it('some missing: only those are named', async () => {
    const result = await world.cli(['purge', 'http://a.example.com/x'], { MOONCDN_KEY_ID: '', MOONCDN_API_URL: '' });
    expectUsageError(result, 'Set MOONCDN_API_URL (--api-url), MOONCDN_KEY_ID (--key-id).', 'purge');
    expect(result.stderr).not.toContain('MOONCDN_SUBSCRIPTION_ID (');
    expect(result.stderr).not.toContain('MOONCDN_KEY_VALUE (');
  });

  it('the flags work without the environment and win over it', async () => {
    const { MOONCDN_API_URL, MOONCDN_SUBSCRIPTION_ID, MOONCDN_KEY_ID, MOONCDN_KEY_VALUE } = world.env;
    const flags = ['--api-url', MOONCDN_API_URL!, '--subscription-id', MOONCDN_SUBSCRIPTION_ID!, '--key-id', MOONCDN_KEY_ID!, '--key-value', MOONCDN_KEY_VALUE!];
    const onlyFlags = await runCli(['endpoint', 'list', '--json', ...flags], NO_CONFIG);
    expect(onlyFlags.code, onlyFlags.stderr).toBe(0);
    expect(parseJson(onlyFlags)).toEqual([]);
    const overriding = await world.cli(['endpoint', 'list', '--json', '--key-value', MOONCDN_KEY_VALUE!], { MOONCDN_KEY_VALUE: 'a-wrong-key-value-that-is-long-enough-000' });
    expect(overriding.code, overriding.stderr).toBe(0);
  });
});

describe('API errors: exit 1, the error Type and Message on stderr, nothing on stdout', () => {
  it('a wrong key value is WrongSignature, telling the user to check MOONCDN_KEY_VALUE (not how to sign)', async () => {
    for (const args of [['endpoint', 'list'], ['endpoint', 'list', '--json'], ['purge', 'http://a.example.com/x', '--wait']]) {
      const result = await world.cli(args, { MOONCDN_KEY_VALUE: 'a-wrong-key-value-that-is-long-enough-000' });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^WrongSignature: The key value does not match the key id: check MOONCDN_KEY_VALUE .*\(correlation id [0-9a-f-]{36}\)\n$/);
      expect(result.stderr).not.toContain('HMAC');
    }
  });

  it('an unknown key id is ApiKeyNotFound; another subscription is SubscriptionNotFound', async () => {
    const unknownKey = await world.cli(['endpoint', 'list'], { MOONCDN_KEY_ID: '0d7c2c36-0000-4000-8000-000000000000' });
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toMatch(/^ApiKeyNotFound: .*Check MOONCDN_KEY_ID/);
    const unknownSubscription = await world.cli(['endpoint', 'list'], { MOONCDN_SUBSCRIPTION_ID: '0d7c2c36-0000-4000-8000-000000000001' });
    expect(unknownSubscription.code).toBe(1);
    expect(unknownSubscription.stderr).toMatch(/^SubscriptionNotFound: .*Check MOONCDN_SUBSCRIPTION_ID/);
  });

  it('a throttled call says it is waiting, then goes on by itself', async () => {
    await world.endpoint('throttle.example.com');
    const created = await world.cli(['admin', 'key', 'create', '--subscription', world.env.MOONCDN_SUBSCRIPTION_ID!, '--rate-per-minute', '60', ...world.storeArgs]);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { KeyId: string; KeyValue: string };
    // One URL a request: 66 requests, more than the key's burst of 60, so some get 429 with Retry-After: 1.
    const urls = Array.from({ length: 65 }, (_, i) => `http://throttle.example.com/${i}.js`);
    const result = await world.cli(['purge', ...urls, '--batch-size', '1', '--json'], { MOONCDN_KEY_ID: key.KeyId, MOONCDN_KEY_VALUE: key.KeyValue });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^The API is throttling this key \(429 RequestThrottled\); retrying in 1 s \(retry 1\)\.$/m);
    expect(parseJson(result)).toHaveLength(65);
  });

  it('a server that is not there is a ConnectionError naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await world.cli(['endpoint', 'list'], { MOONCDN_API_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^ConnectionError: Cannot reach http://127\\.0\\.0\\.1:${port}`));
    expect(result.stderr).toContain('that the server is running');
  });

  it('a server whose certificate does not verify: the hint is --ca or --insecure, not the URL or the server', async () => {
    // The server is there and answers TLS: telling the user to check that it runs would mislead.
    const certs = join(import.meta.dirname, '../fixtures/certs');
    const tls = createHttpsServer({ cert: readFileSync(join(certs, 'rsa.crt')), key: readFileSync(join(certs, 'rsa.key')) }, (_request, response) => response.end('[]'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const result = await world.cli(['endpoint', 'list'], { MOONCDN_API_URL: url });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ConnectionError: .*SELF_SIGNED/);
      expect(result.stderr).toContain("The API's TLS certificate did not verify: pass the CA that signed it with --ca FILE");
      expect(result.stderr).not.toContain('that the server is running');
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});

describe('usage errors: exit 2 with the help', () => {
  it('a MOONCDN_API_URL that is not an http(s) URL, naming where it came from', async () => {
    for (const url of ['127.0.0.1:7070', 'localhost', 'ftp://127.0.0.1:7070', 'http://']) {
      expectUsageError(await world.cli(['endpoint', 'list'], { MOONCDN_API_URL: url }), `MOONCDN_API_URL "${url}" is not an http:// or https:// URL`, 'endpoint list');
    }
    expectUsageError(await world.cli(['endpoint', 'list', '--api-url', 'nonsense']), '--api-url "nonsense" is not an http:// or https:// URL', 'endpoint list');
  });

  it('an unknown command, option or value, a missing argument, or no command at all', async () => {
    const unknown = await runCli(['purgee', 'http://a.example.com/x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'purgee'");
    expect(unknown.stderr).toContain('Usage: mooncdn [options] [command]');

    expectUsageError(await world.cli(['endpoint', 'list', '--jsn']), "error: unknown option '--jsn'", 'endpoint list');
    expectUsageError(await world.cli(['endpoint', 'show']), "error: missing required argument 'id'", 'endpoint show');
    expectUsageError(await world.cli(['endpoint', 'enable', 'some-id', '--timeout', 'soon']), "option '--timeout <seconds>' argument 'soon' is invalid", 'endpoint enable');

    for (const args of [[], ['endpoint'], ['traffic']]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`Usage: mooncdn ${args.length ? `${args[0]} ` : ''}[options] [command]`);
    }
  });
});

describe('--help', () => {
  it('mooncdn --help lists every command, the configuration and examples', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    const commands = /Commands:\n([\s\S]*?)\n\n/.exec(result.stdout)![1]!;
    const names = commands.split('\n').map((line) => /^  (\S+)/.exec(line)?.[1]).filter(Boolean);
    expect(names).toEqual(['serve', 'api', 'worker', 'edge', 'admin', 'endpoint', 'cache-rules', 'access-control', 'purge', 'preload', 'operation', 'traffic', 'certificate', 'webhook', 'help']);
    for (const variable of ['MOONCDN_API_URL', 'MOONCDN_SUBSCRIPTION_ID', 'MOONCDN_KEY_ID', 'MOONCDN_KEY_VALUE', '--wait', '--json']) expect(result.stdout).toContain(variable);
    expect(result.stdout).toMatch(/Examples:\n  mooncdn /);
  });

  it('mooncdn endpoint create --help, from the binary, lists its flags and an example', async () => {
    const result = await runCli(['endpoint', 'create', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: mooncdn endpoint create [options]');
    expect(result.stdout).toContain('--domain <domain>');
    expect(result.stdout).toMatch(/Example:\n  mooncdn endpoint create /);
  });
});
