/**
 * The workers' side of what edges report: heartbeats (recorded in the store, answered with a
 * lease and the log's last sequence) and traffic (written to the store once per report). Every
 * worker runs one; NATS hands each heartbeat to one of them (a queue group) and each traffic
 * report to one (a work-queue stream).
 */
import { AckPolicy, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../domain/clock.js';
import { afterReconnect } from './connection.js';
import { lastLogSeq } from './fleet-streams.js';
import { allEdges, decodeHeartbeat, decodeTrafficReport, edgeOfSubject, encode, TRAFFIC_CONSUMER, TRAFFIC_STREAM, WORKER_QUEUE } from './protocol.js';

export class FleetRecorder {
  private subscription: Subscription | undefined;
  private stopping = false;
  private trafficDone: Promise<void> | undefined;
  private stopTraffic: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.nc.subscribe(allEdges('heartbeat'), { queue: WORKER_QUEUE, callback: (error, msg) => void (error ?? this.answer(msg)) });
    await this.jsm.consumers.add(TRAFFIC_STREAM, { durable_name: TRAFFIC_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), filter_subject: allEdges('traffic') });
    this.trafficDone = this.writeTraffic();
    void afterReconnect(this.nc, () => this.stopTraffic?.());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.subscription?.unsubscribe();
    this.stopTraffic?.();
    await this.trafficDone;
  }

  private async answer(msg: Msg): Promise<void> {
    const edgeId = edgeOfSubject(msg.subject);
    const beat = decodeHeartbeat(msg.data);
    if (!edgeId || !beat) return void this.log.warn({ subject: msg.subject }, 'ignored a malformed heartbeat');
    try {
      const before = await lastLogSeq(this.jsm);
      await this.store.edges.heartbeat({ id: edgeId, address: beat.address, state: beat.state, appliedSeq: beat.applied, logSeq: before, features: beat.features }, this.leaseMs);
      // Read after the lease is recorded: a change a worker let go of this edge for (its lease had
      // run out) is in the log by now, so the edge applies it before it serves from cache again.
      msg.respond(encode({ logSeq: await lastLogSeq(this.jsm), leaseMs: this.leaseMs }));
    } catch (error) {
      // No answer: the edge's lease runs out unless another heartbeat gets through.
      this.log.warn({ err: error, edgeId }, 'could not record a heartbeat');
    }
  }

  /** Writes each report in one transaction with its id, so a report delivered again adds nothing. */
  private async writeTraffic(): Promise<void> {
    const js = jetstream(this.nc);
    while (!this.stopping) {
      try {
        const consumer = await js.consumers.get(TRAFFIC_STREAM, TRAFFIC_CONSUMER);
        const messages = await consumer.consume({ max_messages: 64 });
        this.stopTraffic = () => void messages.stop();
        if (this.stopping) messages.stop();
        for await (const message of messages) {
          const report = decodeTrafficReport(message.data);
          const id = message.headers?.get('Nats-Msg-Id') || `${message.info.stream}:${message.seq}`;
          if (!report) {
            this.log.warn({ subject: message.subject }, 'dropped a malformed traffic report');
            message.term();
            continue;
          }
          try {
            await this.store.transaction((tx) => tx.traffic.addReport(id, report.samples, this.clock.now()));
            message.ack();
          } catch (error) {
            this.log.warn({ err: error }, 'could not write a traffic report; it is delivered again');
            message.nak(1_000);
          }
        }
      } catch (error) {
        if (this.stopping) return;
        this.log.warn({ err: error }, 'reading traffic reports failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }
}
