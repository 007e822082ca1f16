/**
 * An edge's link to the control plane in the scaled shape (it never talks to the database):
 *
 * - Heartbeats: every lease/5 the edge asks the workers, with its applied sequence and state;
 *   each answer grants a lease, counted from when the heartbeat was sent, and names the log's
 *   last sequence. Past its lease the edge serves nothing from cache (EdgeNode.cacheUntil), so
 *   a change the control plane completed without it (it was cut off) can never be missed.
 * - The log: changes in sequence order; each is ACKed, or NACKed with the reason (the previous
 *   configuration stays). A preload is ACKed when its fetch ends, with what the origin did.
 * - Catch-up: after a break the edge reads on from its applied sequence; when the log no longer
 *   holds the next one (or the log is new: the control plane was reinstalled), it resyncs: drops
 *   every endpoint and what it cached, loads each configuration from the bucket, and reads on
 *   from the sequence the bucket is at least as new as.
 * - It answers from its cache again only once it has applied everything up to the sequence a
 *   heartbeat's answer named, under that answer's lease.
 */
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterReconnect } from './connection.js';
import type { Logger } from 'pino';
import type { TrafficSample } from '../../domain/traffic-sample.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../../operations/edge-config.js';
import {
  CONFIG_BUCKET,
  decodeConfig,
  decodeHeartbeatReply,
  decodeLogEntry,
  EDGE_FEATURES,
  edgeSubject,
  encode,
  LOG_STREAM,
  LOG_SUBJECT,
  type Ack,
  type EdgeState,
  type HeartbeatReply,
  type LogEntry,
} from './protocol.js';

/** What the link drives: the edge node (EdgeNode has all of it). */
export interface LinkedEdge {
  cacheUntil: number;
  endpointIds(): string[];
  /** Drops everything cached (the disk tier's files too) and the fills under way. */
  dropCache(): void;
  applyEndpoint(config: EdgeEndpointConfig): Promise<void>;
  removeEndpoint(endpointId: string): Promise<void>;
  purge(endpointId: string, target: PurgeTarget): Promise<void>;
  preload(endpointId: string, target: PreloadTarget): Promise<void>;
}

export interface EdgeLinkOptions {
  readonly edgeId: string;
  /** host:port of the edge's HTTP listener, reported in heartbeats. */
  readonly address: string;
  /** Until the first answer names the control plane's lease. */
  readonly leaseMs: number;
  /** A configuration this edge refuses (its origin policy): the reason, or undefined. */
  readonly refuse?: (config: EdgeEndpointConfig) => string | undefined;
  /** What heartbeats say this edge can do: EDGE_FEATURES unless a test plays an older edge. */
  readonly features?: readonly string[];
}

/** Refusals repeated in heartbeats, so a NACK whose message was lost still reaches the workers. */
const REPEATED_REFUSALS = 16;

export class EdgeLink {
  private applied = 0;
  /** The sequence the edge must reach before it serves from cache (from a heartbeat's answer). */
  private target = Number.POSITIVE_INFINITY;
  private leaseUntil = 0;
  private leaseMs: number;
  private resyncNeeded = true;
  private syncing = true;
  private stopping = false;
  private readonly refusals: Ack[] = [];
  private readonly js: JetStreamClient;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly replies = new Set<(reply: HeartbeatReply) => void>();
  private stopReading: (() => void) | undefined;
  private reading: Promise<void> | undefined;
  /** The applied sequence at the previous heartbeat's answer: unchanged while behind = stalled. */
  private appliedAtLastAnswer = -1;

  constructor(
    private readonly nc: NatsConnection,
    private readonly edge: LinkedEdge,
    private readonly options: EdgeLinkOptions,
    private readonly log: Logger,
  ) {
    this.leaseMs = options.leaseMs;
    this.js = jetstream(nc);
    edge.cacheUntil = 0;
  }

  get state(): EdgeState {
    if (this.syncing) return 'syncing';
    return performance.now() < this.leaseUntil ? 'serving' : 'fenced';
  }

  get appliedSeq(): number {
    return this.applied;
  }

  start(): void {
    const beat = () => {
      void this.heartbeat().finally(() => {
        if (!this.stopping) this.heartbeatTimer = setTimeout(beat, Math.max(50, this.leaseMs / 5));
      });
    };
    beat();
    this.reading = this.read();
    // After a reconnection the log is read anew from the applied sequence.
    void afterReconnect(this.nc, () => this.stopReading?.());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.heartbeatTimer);
    this.stopReading?.();
    await this.reading;
  }

  /** Sends metered traffic to the workers (through JetStream: kept while none runs). */
  async report(samples: TrafficSample[]): Promise<void> {
    await this.js.publish(edgeSubject(this.options.edgeId, 'traffic'), encode({ samples }), { msgID: randomUUID(), timeout: 5_000, retries: 2 });
  }

  private async heartbeat(): Promise<void> {
    const sentAt = performance.now();
    const beat = { applied: this.applied, state: this.state, address: this.options.address, refused: this.refusals, features: this.options.features ?? EDGE_FEATURES };
    let reply: HeartbeatReply | undefined;
    try {
      const answer = await this.nc.request(edgeSubject(this.options.edgeId, 'heartbeat'), encode(beat), { timeout: Math.max(50, this.leaseMs / 5) });
      reply = decodeHeartbeatReply(answer.data);
      if (!reply) this.log.warn('ignored a malformed heartbeat answer');
    } catch {
      // No worker answered: the lease runs down, and the edge fences itself when it ends.
    }
    if (!reply) return;
    this.leaseMs = reply.leaseMs;
    this.leaseUntil = sentAt + reply.leaseMs;
    // Against what the edge had applied when it asked: the worker reads the log's last sequence
    // after it got the heartbeat, so a change applied since may be newer than the answer says.
    if (reply.logSeq < beat.applied) {
      // The log is behind what this edge applied: a new control plane. Start over from it.
      this.log.warn({ applied: this.applied, logSeq: reply.logSeq }, 'the fleet log is new; resyncing');
      this.resyncNeeded = true;
      this.stopReading?.();
    }
    this.target = reply.logSeq;
    // Behind, and nothing applied since the last answer: the reader is stuck; read anew.
    if (this.applied < reply.logSeq && this.applied === this.appliedAtLastAnswer && !this.resyncNeeded) {
      this.log.info({ applied: this.applied, logSeq: reply.logSeq }, 'the fleet log reader is behind and idle; reading anew');
      this.stopReading?.();
    }
    this.appliedAtLastAnswer = this.applied;
    this.updateServing();
    for (const waiting of this.replies) waiting(reply);
  }

  /** Serving from cache once caught up with the last answer's target, under its lease. */
  private updateServing(): void {
    const caughtUp = !this.resyncNeeded && this.applied >= this.target;
    if (caughtUp && this.syncing) this.log.info({ applied: this.applied }, 'caught up with the fleet log; serving from cache');
    this.syncing = !caughtUp;
    this.edge.cacheUntil = caughtUp ? this.leaseUntil : 0;
  }

  private nextReply(): Promise<HeartbeatReply> {
    return new Promise((resolve) => {
      const take = (reply: HeartbeatReply) => {
        this.replies.delete(take);
        resolve(reply);
      };
      this.replies.add(take);
    });
  }

  /** Reads the log for ever: resync when needed, then every change in order. */
  private async read(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.resyncNeeded) await this.resync();
        if (this.stopping) return;
        const consumer = await this.js.consumers.get(LOG_STREAM, {
          filter_subjects: LOG_SUBJECT,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.applied + 1,
        });
        const messages = await consumer.consume({ max_messages: 256 });
        this.stopReading = () => void messages.stop();
        if (this.stopping || this.resyncNeeded) messages.stop();
        for await (const message of messages) {
          if (message.seq <= this.applied) continue;
          if (message.seq > this.applied + 1) {
            this.log.warn({ applied: this.applied, next: message.seq }, 'the fleet log no longer holds the next change; resyncing');
            this.resyncNeeded = true;
            messages.stop();
            break;
          }
          await this.apply(message.seq, message.data);
          if (this.resyncNeeded) messages.stop();
        }
      } catch (error) {
        if (this.stopping) return;
        this.log.warn({ err: error }, 'reading the fleet log failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private async resync(): Promise<void> {
    this.syncing = true;
    this.edge.cacheUntil = 0;
    // The log's last sequence, read by a worker: the bucket is at least that new.
    const { logSeq } = await this.nextReply();
    const configs = await new Kvm(this.js).open(CONFIG_BUCKET);
    const loaded: EdgeEndpointConfig[] = [];
    for await (const key of await configs.keys()) {
      const entry = await configs.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const config = decodeConfig(entry.value);
      if (!config) {
        this.log.warn({ key }, 'left out a configuration the bucket holds that is not one');
        continue;
      }
      const refusal = this.options.refuse?.(config);
      if (refusal) this.log.warn({ endpointId: config.endpointId, refusal }, 'left out an endpoint this edge refuses');
      else loaded.push(config);
    }
    // Read whole before anything changes: endpoints go out of service only for the moment of
    // the swap. Everything cached goes, also what a disk tier kept from before a restart:
    // whatever was purged meanwhile is not in the log any more.
    this.edge.dropCache();
    for (const endpointId of this.edge.endpointIds()) await this.edge.removeEndpoint(endpointId);
    for (const config of loaded) {
      await this.edge.applyEndpoint(config).catch((error: unknown) => this.log.warn({ err: error, endpointId: config.endpointId }, 'could not apply an endpoint while resyncing'));
    }
    this.applied = logSeq;
    this.resyncNeeded = false;
    this.log.info({ endpoints: loaded.length, applied: logSeq }, 'resynced from the configuration bucket');
    this.updateServing();
  }

  private async apply(seq: number, data: Uint8Array): Promise<void> {
    const entry = decodeLogEntry(data);
    if ('problem' in entry) return this.finish(seq, entry.problem);
    if (entry.kind === 'preload') {
      // Started in order, answered when the origin has: later changes need not wait for it.
      void this.edge.preload(entry.endpointId, entry.target).then(
        () => this.ack({ seq, applied: this.applied }),
        (error: unknown) => this.ack({ seq, applied: this.applied, error: (error as Error).message }),
      );
      this.applied = seq;
      this.updateServing();
      return;
    }
    let error: string | undefined;
    try {
      await this.applyChange(entry);
    } catch (failure) {
      error = (failure as Error).message;
    }
    this.finish(seq, error);
  }

  private async applyChange(entry: Exclude<LogEntry, { kind: 'preload' }>): Promise<void> {
    switch (entry.kind) {
      case 'apply': {
        const refusal = this.options.refuse?.(entry.config);
        if (refusal) throw new Error(refusal);
        return this.edge.applyEndpoint(entry.config);
      }
      case 'remove':
        return this.edge.removeEndpoint(entry.endpointId);
      case 'purge':
        return this.edge.purge(entry.endpointId, entry.target);
    }
  }

  private finish(seq: number, error: string | undefined): void {
    this.applied = seq;
    if (error !== undefined) {
      this.log.warn({ seq, error }, 'refused a change');
      this.refusals.push({ seq, applied: seq, error });
      if (this.refusals.length > REPEATED_REFUSALS) this.refusals.shift();
    }
    this.ack({ seq, applied: seq, ...(error !== undefined ? { error } : {}) });
    this.updateServing();
  }

  private ack(ack: Ack): void {
    try {
      this.nc.publish(edgeSubject(this.options.edgeId, 'ack'), encode(ack));
    } catch (error) {
      // Closed or draining: the next heartbeat carries the applied sequence (and refusals).
      this.log.debug({ err: error }, 'could not send an ack');
    }
  }
}

