/**
 * The first hour of a new user, with real processes: a first start that fails loses no key; the
 * development key's line goes where logs are not collected and to a file only its owner reads;
 * the store's files are closed to other users; admin commands name the store they use and
 * never make an empty one.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { startScaled } from '../support/scaled-processes.js';
import { runCli, startServer, storeArgs } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation } from '../support/stores.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mooncdn-first-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function occupiedPort(): Promise<{ port: number; blocker: Server }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return { port: (blocker.address() as { port: number }).port, blocker };
}

describe('first start', () => {
  it('fails on a busy edge port leaving no key; the next start prints the export line on stderr, saves it 0600, and the key works; admin names the store', async () => {
    const dataDir = join(root, 'fresh', 'data');
    const { port, blocker } = await occupiedPort();
    const failed = await runCli(['serve', '--port', '0', '--edge-port', String(port), '--edge-tls-port', '0', '--data-dir', dataDir]);
    blocker.close();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(failed.stdout + failed.stderr).not.toContain('MOONCDN_KEY_VALUE');

    const server = await startServer({ store: { kind: 'sqlite', file: join(dataDir, 'mooncdn.db') }, credentials: null });
    try {
      const line = server.stderr().split('\n').find((l) => l.startsWith('export '));
      expect(line, server.output()).toMatch(/^export MOONCDN_API_URL=http:\/\/127\.0\.0\.1:\d+ MOONCDN_SUBSCRIPTION_ID=[0-9a-f-]{36} MOONCDN_KEY_ID=[0-9a-f-]{36} MOONCDN_KEY_VALUE=[A-Za-z0-9_-]{43}$/);
      // stdout, where the JSON logs go, never holds the value.
      expect(server.stdout()).toContain('serving the management API');
      expect(server.stdout()).not.toContain(server.credentials.keyValue);
      expect(server.stderr()).toContain(`${join(dataDir, 'credentials')}, readable by you only`);

      expect(readFileSync(join(dataDir, 'credentials'), 'utf8')).toBe(`${line}\n`);
      expect(mode(join(dataDir, 'credentials'))).toBe('600');
      expect(mode(dataDir)).toBe('700');
      for (const file of ['mooncdn.db', 'mooncdn.db-wal', 'mooncdn.db-shm']) expect(mode(join(dataDir, file)), file).toBe('600');

      const client = new SignedClient(server.url, server.credentials);
      expect((await client.sub('GET', '/endpoints')).status).toBe(200);
      await client.close();
    } finally {
      await server.stop();
    }

    // Later starts show no value, and say where the line is.
    const again = await startServer({ store: { kind: 'sqlite', file: join(dataDir, 'mooncdn.db') }, credentials: null });
    expect(again.output()).not.toContain('MOONCDN_KEY_VALUE=');
    expect(again.output()).toContain(`the development key's export line is in ${join(dataDir, 'credentials')}`);
    expect(await again.stop()).toBe(0);

    // Admin commands say on stderr which store they use.
    const listed = await runCli(['admin', 'subscription', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
    expect(listed.stderr).toContain(`mooncdn admin: using the store SQLite ${join(dataDir, 'mooncdn.db')}`);
  });

  it('closes database files an older start left open to others, and warns about a data dir it did not make', async () => {
    const dataDir = join(root, 'open');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const first = await startServer({ store: { kind: 'sqlite', file: join(dataDir, 'mooncdn.db') } });
    expect(first.output()).toContain(`The data dir ${dataDir} is open to other users (mode 755)`);
    expect(await first.stop()).toBe(0);
    chmodSync(join(dataDir, 'mooncdn.db'), 0o644);

    const second = await startServer({ store: { kind: 'sqlite', file: join(dataDir, 'mooncdn.db') } });
    expect(mode(join(dataDir, 'mooncdn.db'))).toBe('600');
    expect(mode(dataDir)).toBe('755');
    expect(await second.stop()).toBe(0);
  });

  it('puts the edge on --edge-host and the API on --host only', async () => {
    const server = await startServer({ store: { kind: 'sqlite', file: join(root, 'hosts', 'mooncdn.db') }, args: ['--edge-host', '127.0.0.2'] });
    try {
      const [, edgePort] = /The edge serves endpoints at http:\/\/127\.0\.0\.2:(\d+) and https:\/\/127\.0\.0\.2:\d+/.exec(server.output()) ?? [];
      expect(edgePort, server.output()).toBeDefined();
      const apiPort = new URL(server.url).port;
      expect(await answers('127.0.0.2', edgePort!)).toBe(404);
      expect(await answers('127.0.0.1', edgePort!)).toBe('ECONNREFUSED');
      expect(await answers('127.0.0.1', apiPort)).toBe(200);
      expect(await answers('127.0.0.2', apiPort)).toBe('ECONNREFUSED');
    } finally {
      await server.stop();
    }
  });
});

/** The status a GET of /readyz gets at host:port, or the connection error's code. */
async function answers(host: string, port: string): Promise<number | string> {
  try {
    const response = await fetch(`http://${host}:${port}/readyz`, { headers: { host: 'unknown.example' } });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return ((error as Error & { cause?: { code?: string } }).cause?.code) ?? String(error);
  }
}

describe('a second serve on the same store', () => {
  it.each(['sqlite', 'postgres'] as const)('refuses to start on %s while the first runs, and starts once it is gone', async (kind) => {
    const where = await newStoreLocation(kind);
    try {
      const first = await startServer({ store: where.location });
      const second = await runCli(['serve', '--port', '0', '--edge-port', '0', '--edge-tls-port', '0', ...storeArgs(where.location)], {
        MOONCDN_SUBSCRIPTION_ID: first.credentials.subscriptionId,
        MOONCDN_KEY_ID: first.credentials.keyId,
        MOONCDN_KEY_VALUE: first.credentials.keyValue,
      });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^mooncdn could not start: Another mooncdn serve is running on the (PostgreSQL )?store/m);
      // The first is unharmed.
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
      expect(await first.stop()).toBe(0);

      const third = await startServer({ store: where.location, credentials: first.credentials });
      expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
      expect(await third.stop()).toBe(0);
    } finally {
      await where.cleanup();
    }
  });
});

describe('admin commands', () => {
  it('refuse to make a store where there is none, saying where they looked', async () => {
    const empty = join(root, 'wrong-directory');
    const result = await runCli(['admin', 'subscription', 'list', '--data-dir', empty]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`no mooncdn store at ${join(empty, 'mooncdn.db')}; start the server first (mooncdn serve), or pass --data-dir or --database-url`);
    expect(existsSync(empty)).toBe(false);
  });

  it('refuse a PostgreSQL database that holds no store', async () => {
    const database = await createTestDatabase();
    try {
      const result = await runCli(['admin', 'subscription', 'list', '--database-url', database.url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no mooncdn store in PostgreSQL postgres:\/\/\S+mooncdn_test_\w+; start the server first/);
    } finally {
      await database.drop();
    }
  });
});

describe('first start of mooncdn api (scaled shape)', () => {
  it('on an empty database without MOONCDN_KEY_*: prints the development key line on stderr, says where it is saved, and the key works', async () => {
    const database = await createTestDatabase();
    const dataDir = join(root, 'api-first', 'data');
    // The api has no NATS to reach; no credentials are given, so it makes a development key.
    // Behind a proxy: the line gives the URL clients reach it by.
    const api = await startScaled('api', { databaseUrl: database.url, natsUrl: '', env: { MOONCDN_DATA_DIR: dataDir, MOONCDN_PUBLIC_URL: 'https://cdn-api.example.com' } });
    try {
      const stderr = () => api.output().split('\n');
      const line = await waitFor(() => stderr().find((l) => l.startsWith('export ')));
      expect(line).toMatch(/^export MOONCDN_API_URL=https:\/\/cdn-api\.example\.com MOONCDN_SUBSCRIPTION_ID=[0-9a-f-]{36} MOONCDN_KEY_ID=[0-9a-f-]{36} MOONCDN_KEY_VALUE=[A-Za-z0-9_-]{43}$/);
      expect(api.output()).toContain(`The line is also in ${join(dataDir, 'credentials')}, readable by you only`);
      expect(readFileSync(join(dataDir, 'credentials'), 'utf8')).toBe(`${line}\n`);
      const values = Object.fromEntries(line!.slice('export '.length).split(' ').map((pair) => pair.split('=') as [string, string]));
      const client = new SignedClient(api.url, { subscriptionId: values.MOONCDN_SUBSCRIPTION_ID!, keyId: values.MOONCDN_KEY_ID!, keyValue: values.MOONCDN_KEY_VALUE! });
      expect((await client.sub('GET', '/endpoints')).status).toBe(200);
      await client.close();
    } finally {
      await api.stop();
      await database.drop();
    }
  });
});

/** Polls until `read` gives a value (the process writes its lines as it goes). */
async function waitFor<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
