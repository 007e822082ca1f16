/** The `mooncdn` command: first start, admin commands while the server runs, configuration errors. */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';

let dir: string;
let server: ServerProcess | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mooncdn-cli-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('first start', () => {
  it('creates a development subscription and key, prints them once as an export line that works', async () => {
    server = await startServer({ store: { kind: 'sqlite', file: join(dir, 'mooncdn.db') }, credentials: null });
    const line = server.output().split('\n').find((l) => l.startsWith('export '));
    expect(line).toMatch(/^export MOONCDN_API_URL=http:\/\/127\.0\.0\.1:\d+ MOONCDN_SUBSCRIPTION_ID=[0-9a-f-]{36} MOONCDN_KEY_ID=[0-9a-f-]{36} MOONCDN_KEY_VALUE=[A-Za-z0-9_-]{43}$/);
    const client = new SignedClient(server.url, server.credentials);
    expect((await client.sub('GET', '/endpoints')).status).toBe(200);
    await client.close();

    // A second start reuses the store and shows no key value.
    await server.stop();
    server = await startServer({ store: { kind: 'sqlite', file: join(dir, 'mooncdn.db') }, credentials: null });
    expect(server.output()).not.toContain('MOONCDN_KEY_VALUE=');
    const subs = await runCli(['admin', 'subscription', 'list', '--data-dir', dir]);
    expect(JSON.parse(subs.stdout)).toHaveLength(1);
  });
});

describe('admin commands while the server runs', () => {
  it('creates a subscription and keys of each scope, lists them without values, and revokes', async () => {
    const sub = await runCli(['admin', 'subscription', 'create', '--name', 'staging', '--data-dir', dir]);
    expect(sub.code).toBe(0);
    const { SubscriptionId } = JSON.parse(sub.stdout);
    expect(SubscriptionId).toMatch(/^[0-9a-f-]{36}$/);

    const created = await runCli(['admin', 'key', 'create', '--subscription', SubscriptionId, '--scope', 'read', '--rate-per-minute', '600', '--data-dir', dir]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ SubscriptionId, Scope: 'read', RatePerMinute: 600, Status: 'active', KeyValue: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });

    const client = new SignedClient(server!.url, { subscriptionId: SubscriptionId, keyId: key.KeyId, keyValue: key.KeyValue });
    expect((await client.sub('GET', '/endpoints')).status).toBe(200);
    const purge = await client.sub('POST', '/endpoints', { CustomDomain: 'x.example.com', Origin: { Addresses: ['o.example.com'] } });
    expect(purge.body.ErrorInfo.Type).toBe('PermissionDenied');

    const listed = await runCli(['admin', 'key', 'list', '--subscription', SubscriptionId, '--data-dir', dir]);
    expect(listed.stdout).not.toContain(key.KeyValue);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ KeyId: key.KeyId, Scope: 'read', Status: 'active' })]);

    const revoked = await runCli(['admin', 'key', 'revoke', '--id', key.KeyId, '--data-dir', dir]);
    expect(JSON.parse(revoked.stdout)).toEqual({ KeyId: key.KeyId, Revoked: true });
    const refused = await client.sub('GET', '/endpoints');
    expect(refused.status).toBe(401);
    expect(refused.body.ErrorInfo.Type).toBe('InvalidApiKey');
    await client.close();
    expect(JSON.parse((await runCli(['admin', 'key', 'list', '--subscription', SubscriptionId, '--data-dir', dir])).stdout)[0].Status).toBe('revoked');
  });

  it('explains bad arguments with exit 2 and the help, and unknown ids with exit 1', async () => {
    const badScope = await runCli(['admin', 'key', 'create', '--subscription', '5dd0413d-a2f9-442a-b836-128d87753fa9', '--scope', 'admin', '--data-dir', dir]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain("Allowed choices are full, content, read");
    const badUuid = await runCli(['admin', 'key', 'list', '--subscription', 'nope', '--data-dir', dir]);
    expect(badUuid.code).toBe(2);
    expect(badUuid.stderr).toContain('must be a UUID');
    const unknown = await runCli(['admin', 'key', 'create', '--subscription', '5dd0413d-a2f9-442a-b836-128d87753fa9', '--data-dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('does not exist');
    const revokeUnknown = await runCli(['admin', 'key', 'revoke', '--id', 'no-such-key', '--data-dir', dir]);
    expect(revokeUnknown.code).toBe(1);
  });
});

describe('configuration errors stop the server before it listens, saying what to change', () => {
  // Never a default port: these tests run while `npm start` may hold 7070, 8080 and 8443. A data
  // dir of their own: the server above holds its store (one serve per store).
  const serve = (args: string[], env: Record<string, string> = {}) =>
    runCli(['serve', '--data-dir', join(dir, 'config-errors'), '--edge-port', '0', '--edge-tls-port', '0', ...args], env);

  it('bad values are all reported at once, exit 2', async () => {
    const result = await serve(['--port', 'abc', '--edge-port', '70000', '--log-level', 'loud', '--cname-suffix', 'not a domain'], { MOONCDN_KEY_ID: 'k' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--cname-suffix (MOONCDN_CNAME_SUFFIX) "not a domain" must be a domain name');
    expect(result.stderr).toContain('--port (MOONCDN_PORT) "abc" is not a port number');
    expect(result.stderr).toContain('--edge-port (MOONCDN_EDGE_PORT) "70000"');
    expect(result.stderr).toContain('--log-level');
    expect(result.stderr).toContain('MOONCDN_SUBSCRIPTION_ID, MOONCDN_KEY_ID and MOONCDN_KEY_VALUE go together');
  });

  it('environment variables are read like flags', async () => {
    const result = await serve([], { MOONCDN_PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"eighty"');
  });

  it('a port in use, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = await serve(['--port', String(port)]);
    blocker.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('--port');
  });

  it('an unreachable database, exit 1', async () => {
    const result = await runCli(['serve', '--port', '0', '--edge-port', '0', '--edge-tls-port', '0', '--database-url', 'postgres://postgres@127.0.0.1:1/none']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot open the store (PostgreSQL postgres://postgres@127.0.0.1:1/none)');
  });

  it('an unreadable certificate, exit 2', async () => {
    const result = await serve(['--tls-cert', '/no/such/cert.pem', '--tls-key', '/no/such/key.pem']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read "/no/such/cert.pem" (ENOENT)');
  });

  it('a master key that does not open the stored secrets, exit 1', async () => {
    const sealed = mkdtempSync(join(tmpdir(), 'mooncdn-sealed-'));
    try {
      const first = await startServer({ store: { kind: 'sqlite', file: join(sealed, 'mooncdn.db') }, env: { MOONCDN_MASTER_KEY: 'the right master key' } });
      await first.stop();
      const wrong = await runCli(['serve', '--port', '0', '--edge-port', '0', '--edge-tls-port', '0', '--data-dir', sealed], { MOONCDN_MASTER_KEY: 'a wrong master key' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('MOONCDN_MASTER_KEY is not the key it was stored with');
      const none = await runCli(['serve', '--port', '0', '--edge-port', '0', '--edge-tls-port', '0', '--data-dir', sealed]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('set MOONCDN_MASTER_KEY');
    } finally {
      rmSync(sealed, { recursive: true, force: true });
    }
  });
});
