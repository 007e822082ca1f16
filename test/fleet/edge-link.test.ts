/**
 * An edge's link to the fleet (scaled shape) against a real nats-server, with a worker played by
 * the test: it answers heartbeats as FleetRecorder does, reading the log's last sequence after it
 * got the heartbeat, so a change the edge applies meanwhile can be newer than the answer.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EdgeLink, type LinkedEdge } from '../../src/fleet/nats/edge-link.js';
import { ensureFleetStreams, lastLogSeq } from '../../src/fleet/nats/fleet-streams.js';
import { decodeAck, edgeSubject, encode, LOG_SUBJECT } from '../../src/fleet/nats/protocol.js';
import type { EdgeEndpointConfig, PurgeTarget } from '../../src/operations/edge-config.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';

let nats: NatsServer;
let worker: NatsConnection;
let edgeSide: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  [worker, edgeSide] = await Promise.all([connect({ servers: nats.url }), connect({ servers: nats.url })]);
});

afterAll(async () => {
  await Promise.all([worker?.close(), edgeSide?.close()]);
  await nats?.close();
});

/** The edge node as the link drives it: what it holds, and every endpoint it was told to drop. */
class RecordingEdge implements LinkedEdge {
  cacheUntil = 0;
  readonly endpoints = new Map<string, EdgeEndpointConfig>();
  readonly removed: string[] = [];
  readonly purged: (readonly string[])[] = [];
  dropped = 0;
  endpointIds(): string[] {
    return [...this.endpoints.keys()];
  }
  async applyEndpoint(config: EdgeEndpointConfig): Promise<void> {
    this.endpoints.set(config.endpointId, config);
  }
  async removeEndpoint(endpointId: string): Promise<void> {
    this.endpoints.delete(endpointId);
    this.removed.push(endpointId);
  }
  async purge(_endpointId: string, target: PurgeTarget): Promise<void> {
    this.purged.push(target.files);
  }
  async preload(): Promise<void> {}
  dropCache(): void {
    this.dropped++;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('a heartbeat answer older than a change the edge applied meanwhile is no new log: the edge keeps its endpoints and cache', async () => {
  const { jsm, configs } = await ensureFleetStreams(worker, { logMaxMessages: 1_000 });
  const js = jetstream(worker);
  await configs.put('ep-1', JSON.stringify({ endpointId: 'ep-1', customDomain: 'link.example.com' }));

  let acked = 0;
  worker.subscribe(edgeSubject('edge-a', 'ack'), { callback: (_error, msg) => void (acked = Math.max(acked, decodeAck(msg.data)?.seq ?? 0)) });
  let answers = 0;
  let race: 'waiting' | 'armed' | 'done' = 'waiting';
  worker.subscribe(edgeSubject('edge-a', 'heartbeat'), {
    callback: (_error, msg) =>
      void (async () => {
        const before = await lastLogSeq(jsm);
        if (race === 'armed') {
          // A purge is published and applied between the heartbeat and the worker's answer,
          // which names the log's last sequence as the worker read it before the purge.
          race = 'done';
          const { seq } = await js.publish(LOG_SUBJECT, encode({ kind: 'purge', endpointId: 'ep-1', target: { files: ['/a.png'], directories: [], patterns: [] } }));
          await until(() => acked >= seq, `the edge's ack of change ${seq}`);
        }
        msg.respond(encode({ logSeq: before, leaseMs: 500 }));
        answers++;
      })(),
  });

  const edge = new RecordingEdge();
  const link = new EdgeLink(edgeSide, edge, { edgeId: 'edge-a', address: '127.0.0.1:1', leaseMs: 500 }, pino({ level: 'silent' }));
  link.start();
  try {
    await until(() => link.state === 'serving', 'the edge serving');
    expect(edge.endpointIds()).toEqual(['ep-1']);

    race = 'armed';
    await until(() => race === 'done', 'the raced answer');
    const after = answers;
    await until(() => answers >= after + 3, 'three more heartbeat answers');

    expect(edge.purged).toEqual([['/a.png']]);
    expect(edge.removed).toEqual([]);
    expect(edge.dropped).toBe(1); // the first resync only
    expect([link.state, edge.endpointIds(), link.appliedSeq]).toEqual(['serving', ['ep-1'], acked]);
  } finally {
    await link.stop();
  }
});
