/**
 * The scaled shape for benchmarks: a fresh PostgreSQL database (durable commits, the server's
 * default, unlike the test suites' databases), a nats-server on a free port, an origin, and the
 * built `mooncdn api`, `worker` and `edge` processes, as an operator starts them. Everything it
 * started is stopped and dropped by close(), which also runs on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startNatsServer } from '../../test/support/nats-server.js';
import { OriginServer } from '../../test/support/origin-server.js';
import { ADMIN_URL } from '../../test/support/postgres.js';
import { startScaled, type ScaledProcess } from '../../test/support/scaled-processes.js';
import { newCredentials } from '../../test/support/server-process.js';
import { SignedClient } from '../../test/support/signed-client.js';

const OPERATOR_TOKEN = randomBytes(24).toString('hex');

export interface ScaledFleet {
  readonly apis: readonly ScaledProcess[];
  readonly clients: readonly SignedClient[];
  readonly origin: OriginServer;
  readonly natsUrl: string;
  readonly edges: readonly ScaledProcess[];
  /** Starts more edges and waits until the workers see every edge serving. */
  addEdges(count: number): Promise<void>;
  /** Creates an endpoint through the first API and waits for it; returns its id. */
  createEndpoint(domain: string): Promise<string>;
  /** The API's queue depth (operations NotSet or Processing), from its /metrics. */
  unfinished(): Promise<number>;
  close(): Promise<void>;
}

export interface FleetOptions {
  readonly apis: number;
  readonly workers: number;
  /** Environment for every process (quotas, log level). */
  readonly env?: Record<string, string>;
}

export async function startScaledFleet(options: FleetOptions): Promise<ScaledFleet> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const processes: ScaledProcess[] = [];
  const edges: ScaledProcess[] = [];
  const clients: SignedClient[] = [];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(processes.map((process) => process.stop()));
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
    })());
  const onSignal = (signal: NodeJS.Signals) => void close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  cleanups.push(async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

  try {
    const database = await createBenchDatabase();
    cleanups.push(() => database.drop());
    const nats = await startNatsServer();
    cleanups.push(() => nats.close());
    const origin = await OriginServer.start();
    cleanups.push(() => origin.close());

    const credentials = newCredentials();
    const env = { MOONCDN_LOG_LEVEL: 'warn', MOONCDN_OPERATOR_TOKEN: OPERATOR_TOKEN, ...options.env };
    const common = { databaseUrl: database.url, natsUrl: nats.url, credentials, env };
    const started = async (kind: ScaledProcess['kind'], args?: string[]): Promise<ScaledProcess> => {
      const running = await startScaled(kind, { ...common, ...(args ? { args } : {}) });
      processes.push(running);
      return running;
    };
    // The first API makes the schema; the rest start together.
    const apis = [await started('api')];
    apis.push(...(await Promise.all(Array.from({ length: options.apis - 1 }, () => started('api')))));
    await Promise.all(Array.from({ length: options.workers }, () => started('worker')));
    clients.push(...apis.map((api) => new SignedClient(api.url, credentials)));

    const servingEdges = async (): Promise<number> => {
      const response = await fetch(`${apis[0]!.url}/edges`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      const { Edges } = (await response.json()) as { Edges: { State: string }[] };
      return Edges.filter((edge) => edge.State === 'serving').length;
    };

    return {
      apis,
      clients,
      origin,
      natsUrl: nats.url,
      edges,
      async addEdges(count) {
        const first = edges.length;
        // At info: they log little (no access log), and say when their link to the fleet stalls.
        const args = (i: number) => ['--edge-id', `edge-${first + i + 1}`, '--log-level', 'info'];
        edges.push(...(await Promise.all(Array.from({ length: count }, (_, i) => started('edge', args(i))))));
        await until(async () => (await servingEdges()) === edges.length, `${edges.length} edges serving`, 60_000);
      },
      async createEndpoint(domain) {
        const created = await clients[0]!.sub('POST', '/endpoints', { CustomDomain: domain, Origin: { Addresses: [origin.address] } });
        if (created.status !== 202) throw new Error(`creating the endpoint answered ${created.status}: ${JSON.stringify(created.body)}`);
        const id = created.body.EndpointID as string;
        const done = await clients[0]!.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!, 30_000);
        if (done.Status !== 'Succeeded') throw new Error(`creating the endpoint ended ${done.Status}: ${done.Message}`);
        return id;
      },
      async unfinished() {
        const metrics = await (await fetch(`${apis[0]!.url}/metrics`)).text();
        return Number(/^mooncdn_operations_unfinished (\d+)/m.exec(metrics)![1]);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function until(condition: () => Promise<boolean>, what: string, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A database for one run, with the server's default durability (synchronous_commit on). */
async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mooncdn_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  // To see what the disk's flushes cost: BENCH_SYNCHRONOUS_COMMIT=off (commits no longer wait for them).
  const synchronousCommit = process.env.BENCH_SYNCHRONOUS_COMMIT;
  if (synchronousCommit !== undefined) {
    if (!/^(on|off|local|remote_write|remote_apply)$/.test(synchronousCommit)) throw new Error(`BENCH_SYNCHRONOUS_COMMIT must be on, off, local, remote_write or remote_apply, not "${synchronousCommit}"`);
    await admin(`ALTER DATABASE ${name} SET synchronous_commit = ${synchronousCommit}`);
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
