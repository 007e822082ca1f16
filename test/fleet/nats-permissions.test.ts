/**
 * Edges on a NATS server with authentication, with the permissions README.md gives them: an
 * edge can do its work (resync, read the log, heartbeat, ack, report traffic) with its own user
 * and nothing more, so it cannot speak for another edge nor read another edge's replies. Worker
 * and edge run in this process against a real nats-server and PostgreSQL.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleetConfig } from '../../src/config/fleet-config.js';
import { loadServeConfig } from '../../src/config/serve-config.js';
import { startEdge, type RunningEdge } from '../../src/server/edge-process.js';
import { startWorker, type RunningWorker } from '../../src/server/worker-process.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** The authorization block README.md ("Edge credentials") shows, for one worker and edge-a. */
const AUTHORIZATION = `
authorization {
  users = [
    { user: worker, password: worker-secret-for-tests }
    { user: edge-a, password: edge-a-secret-for-tests, permissions: {
        publish: {
          allow: [
            "mooncdn.edge.edge-a.>",
            "$JS.API.INFO",
            "$JS.API.STREAM.INFO.MOONCDN_FLEET", "$JS.API.CONSUMER.*.MOONCDN_FLEET.>", "$JS.API.CONSUMER.MSG.NEXT.MOONCDN_FLEET.>",
            "$JS.API.STREAM.INFO.KV_mooncdn_endpoints", "$JS.API.CONSUMER.*.KV_mooncdn_endpoints.>", "$JS.API.CONSUMER.MSG.NEXT.KV_mooncdn_endpoints.>",
            "$JS.API.DIRECT.GET.KV_mooncdn_endpoints.>", "$JS.API.STREAM.MSG.GET.KV_mooncdn_endpoints"
          ]
        }
        subscribe: { allow: ["_INBOX_edge-a.>"] }
      }
    }
  ]
}`;

const log = pino({ level: process.env.DEBUG_LOG ? 'debug' : 'silent' });
let nats: NatsServer;
let database: TestDatabase;
let worker: RunningWorker | undefined;
let edge: RunningEdge | undefined;

beforeAll(async () => {
  [nats, database] = await Promise.all([startNatsServer(AUTHORIZATION), createTestDatabase()]);
});
afterAll(async () => {
  await edge?.close();
  await worker?.close();
  await Promise.all([nats?.close(), database?.drop()]);
});

function configs(flags: Record<string, unknown>, env: Record<string, string>) {
  return [loadServeConfig(flags, env), loadFleetConfig(flags, env)] as const;
}

describe('edge credentials', () => {
  it('an edge with only its own permissions catches up and serves; it cannot publish for another edge nor read its replies', async () => {
    const [workerServe, workerFleet] = configs({ databaseUrl: database.url, natsUrl: nats.url, natsUser: 'worker', edgeLeaseMs: '1000' }, { MOONCDN_NATS_PASSWORD: 'worker-secret-for-tests' });
    worker = await startWorker(workerServe, workerFleet, log);
    const [edgeServe, edgeFleet] = configs(
      { natsUrl: nats.url, natsUser: 'edge-a', edgeId: 'edge-a', edgePort: '0', edgeTlsPort: '0', edgeLeaseMs: '1000' },
      { MOONCDN_NATS_PASSWORD: 'edge-a-secret-for-tests' },
    );
    edge = await startEdge(edgeServe, edgeFleet, log);
    await expect.poll(() => edge!.link.state, { timeout: 10_000, interval: 50 }).toBe('serving');

    // As edge-a, speaking for edge-b is refused by the server; the worker hears nothing.
    const asWorker = await connect({ servers: nats.url, user: 'worker', pass: 'worker-secret-for-tests' });
    const heard: string[] = [];
    asWorker.subscribe('mooncdn.edge.edge-b.ack', { callback: (_, msg) => void heard.push(msg.string()) });
    await asWorker.flush();
    const asEdge: NatsConnection = await connect({ servers: nats.url, user: 'edge-a', pass: 'edge-a-secret-for-tests', inboxPrefix: '_INBOX_edge-a' });
    const errors: string[] = [];
    void (async () => {
      for await (const status of asEdge.status()) if (status.type === 'error') errors.push(String(status.error));
    })();
    asEdge.publish('mooncdn.edge.edge-b.ack', JSON.stringify({ seq: 1, applied: 1 }));
    asEdge.subscribe('_INBOX.>');
    await asEdge.flush();
    await expect.poll(() => errors.join('\n'), { timeout: 5_000 }).toMatch(/Permissions Violation for Publish to "mooncdn\.edge\.edge-b\.ack"/);
    await expect.poll(() => errors.join('\n'), { timeout: 5_000 }).toMatch(/Permissions Violation for Subscription to "_INBOX\.>"/);
    await asWorker.flush();
    expect(heard).toEqual([]);
    await asEdge.close();
    await asWorker.close();
  });

  it('an edge with a wrong password does not start, and says NATS refused its credentials', async () => {
    const [edgeServe, edgeFleet] = configs({ natsUrl: nats.url, natsUser: 'edge-a', edgeId: 'edge-x', edgePort: '0', edgeTlsPort: '0' }, { MOONCDN_NATS_PASSWORD: 'wrong' });
    await expect(startEdge(edgeServe, edgeFleet, log)).rejects.toThrow(/NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials \(Authorization Violation\); check --nats-user/);
  });
});
