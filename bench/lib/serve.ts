/** A `mooncdn serve` for benchmarks: pinned to the server core, quiet logs, fresh SQLite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../../test/support/server-process.js';
import { SignedClient } from '../../test/support/signed-client.js';
import { SERVER_CORE } from './wrk.js';

export interface BenchServer {
  readonly server: ServerProcess;
  readonly client: SignedClient;
  readonly edgePort: number;
  close(): Promise<void>;
}

/** `options.pinned: false` leaves it to the scheduler (edge workers on every core); `args`: more flags. */
export async function startBenchServer(env: Record<string, string> = {}, nodeFlags?: readonly string[], options: { pinned?: boolean; args?: readonly string[] } = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-bench-'));
  const server = await startServer({
    store: { kind: 'sqlite', file: join(dir, 'mooncdn.db') },
    env: { MOONCDN_LOG_LEVEL: 'warn', ...env },
    // BENCH_NICE (e.g. -10, as root) raises the server's priority, to tell its own pauses from a busy machine's.
    ...(options.pinned === false
      ? {}
      : { wrapper: [...(process.env.BENCH_NICE ? ['nice', '-n', process.env.BENCH_NICE] : []), 'taskset', '-c', SERVER_CORE] }),
    ...(options.args ? { args: options.args } : {}),
    ...(nodeFlags ? { nodeFlags } : {}),
  });
  const client = new SignedClient(server.url, server.credentials);
  return {
    server,
    client,
    edgePort: Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]),
    async close() {
      await client.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an endpoint and waits for it; returns its id. */
export async function createEndpoint(client: SignedClient, domain: string, origin: string, rules?: unknown): Promise<string> {
  const created = await client.sub('POST', '/endpoints', { CustomDomain: domain, Origin: { Addresses: [origin] } });
  const id = created.body.EndpointID as string;
  await client.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  if (rules) {
    const accepted = await client.sub('PUT', `/endpoints/${id}/cacherules`, rules);
    await client.waitForOperation(id, accepted.body.AsyncInfo.TaskTrackId);
  }
  return id;
}
