/**
 * The fleet of the scaled shape, as a worker drives it: each change is appended to the log (a
 * JetStream stream, whose sequence orders it), and the call resolves once every edge whose lease
 * runs has acknowledged it (Envoy's ACK/NACK): an ACK, or a later applied sequence, means done;
 * a NACK is that edge's error. An edge whose lease runs out while we wait is fenced: it serves
 * nothing from cache before it has applied the change, so it no longer holds the change up. A
 * live edge that stays silent past the deadline is named in the outcome. An edge whose
 * heartbeats do not name a feature the change needs (an older mooncdn, protocol.ts
 * EDGE_FEATURES) fails it at once, named, whatever it ACKs: it would ignore what it does not
 * know and call the change done. It still gets the change, and does what it knows of it.
 */
import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../../operations/edge-config.js';
import type { EdgeOutcome, Fleet, OnEdgeOutcome } from '../../operations/fleet.js';
import type { LiveEdge } from '../../store/repositories/edges.js';
import { allEdges, decodeAck, decodeHeartbeat, edgeOfSubject, encode, featuresNeeded, lackingFeatures, LOG_SUBJECT, type Ack, type EdgeFeature, type LogEntry } from './protocol.js';

export interface NatsFleetOptions {
  /** How long a live edge may take to answer. */
  readonly deadlineMs: number;
  /** A preload also waits on the origin, for up to the edges' origin timeout. */
  readonly originTimeoutMs: number;
  /** How often, while waiting, leases are read again (to let go of edges that were cut off). */
  readonly leaseCheckMs: number;
  /** The edges whose lease runs now (EdgeRepository.live). */
  readonly liveEdges: () => Promise<readonly LiveEdge[]>;
}

/** Acks kept per edge for calls that start waiting after their ack arrived. */
const RECENT_ACKS = 512;

interface Waiter {
  readonly seq: number;
  /** Preloads wait for the edge's result, not just for the change to be applied. */
  readonly needsResult: boolean;
  readonly pending: Set<string>;
  readonly outcomes: EdgeOutcome[];
  readonly onOutcome?: OnEdgeOutcome;
  wake(): void;
}

export class NatsFleet implements Fleet {
  /** Each edge's applied sequence, from its latest ack or heartbeat. */
  private readonly applied = new Map<string, number>();
  private readonly recent = new Map<string, Map<number, Ack>>();
  private readonly waiters = new Set<Waiter>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly configs: KV,
    private readonly options: NatsFleetOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.subscriptions.push(
      this.nc.subscribe(allEdges('ack'), { callback: (error, msg) => void (error ?? this.onAck(msg)) }),
      this.nc.subscribe(allEdges('heartbeat'), { callback: (error, msg) => void (error ?? this.onHeartbeat(msg)) }),
    );
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    for (const waiter of this.waiters) waiter.wake();
  }

  async applyEndpoint(config: EdgeEndpointConfig): Promise<EdgeOutcome[]> {
    // The snapshot first: an edge resyncing after the log's entry was written finds it there.
    await this.configs.put(config.endpointId, JSON.stringify(config));
    return this.change({ kind: 'apply', config });
  }

  async removeEndpoint(endpointId: string): Promise<EdgeOutcome[]> {
    await this.configs.delete(endpointId);
    return this.change({ kind: 'remove', endpointId });
  }

  purge(endpointId: string, target: PurgeTarget, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]> {
    return this.change({ kind: 'purge', endpointId, target }, this.options.deadlineMs, onOutcome, featuresNeeded(target));
  }

  preload(endpointId: string, target: PreloadTarget, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]> {
    return this.change({ kind: 'preload', endpointId, target }, this.options.deadlineMs + this.options.originTimeoutMs, onOutcome);
  }

  private async change(entry: LogEntry, deadlineMs = this.options.deadlineMs, onOutcome?: OnEdgeOutcome, needs: readonly EdgeFeature[] = []): Promise<EdgeOutcome[]> {
    // One message id for every retry: a publish whose acknowledgement was lost is stored once.
    const { seq } = await this.js.publish(LOG_SUBJECT, encode(entry), { msgID: randomUUID(), timeout: 5_000, retries: 3 });
    return this.awaitEdges(seq, entry.kind === 'preload', deadlineMs, onOutcome, needs);
  }

  private async awaitEdges(seq: number, needsResult: boolean, deadlineMs: number, onOutcome: OnEdgeOutcome | undefined, needs: readonly EdgeFeature[]): Promise<EdgeOutcome[]> {
    const deadline = performance.now() + deadlineMs;
    let wake: () => void = () => undefined;
    const live = await this.options.liveEdges();
    const pending = new Set(live.map((edge) => edge.id));
    const waiter: Waiter = { seq, needsResult, pending, outcomes: [], ...(onOutcome ? { onOutcome } : {}), wake: () => wake() };
    this.waiters.add(waiter);
    try {
      // Edges that cannot do all of it fail now; the others still carry it out (the choice is in docs/architecture.md).
      for (const edge of live) {
        const missing = needs.filter((feature) => !edge.features.includes(feature));
        if (missing.length > 0) this.settle(waiter, edge.id, lackingFeatures(missing));
      }
      for (const edgeId of [...waiter.pending]) this.settleFromKnown(waiter, edgeId);
      while (waiter.pending.size > 0) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, this.options.leaseCheckMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (waiter.pending.size > 0 && performance.now() < deadline) await this.releaseFenced(waiter);
      }
      const seconds = Math.round(deadlineMs / 1000);
      for (const edgeId of waiter.pending) this.report(waiter, { edgeId, error: `did not answer within ${seconds} s (change ${seq})` });
      return waiter.outcomes.sort((a, b) => a.edgeId.localeCompare(b.edgeId));
    } finally {
      this.waiters.delete(waiter);
    }
  }

  /** Edges whose lease has run out since the wait began are fenced: done, for this change. */
  private async releaseFenced(waiter: Waiter): Promise<void> {
    const live = new Set(await this.options.liveEdges().then(
      (edges) => edges.map((edge) => edge.id),
      (error: unknown) => {
        this.log.warn({ err: error }, 'cannot read the edges\' leases; waiting on every edge');
        return [...waiter.pending];
      },
    ));
    for (const edgeId of [...waiter.pending]) {
      if (live.has(edgeId)) continue;
      waiter.pending.delete(edgeId);
      this.report(waiter, { edgeId, fenced: true });
    }
  }

  /** One edge's outcome: kept for the answer, and told at once to whoever follows the progress. */
  private report(waiter: Waiter, outcome: EdgeOutcome): void {
    waiter.outcomes.push(outcome);
    try {
      waiter.onOutcome?.(outcome);
    } catch (error) {
      this.log.warn({ err: error, edgeId: outcome.edgeId }, 'could not report an edge\'s progress');
    }
  }

  private settleFromKnown(waiter: Waiter, edgeId: string): void {
    const ack = this.recent.get(edgeId)?.get(waiter.seq);
    if (ack) return this.settle(waiter, edgeId, ack.error);
    if (!waiter.needsResult && (this.applied.get(edgeId) ?? -1) >= waiter.seq) this.settle(waiter, edgeId, undefined);
  }

  private settle(waiter: Waiter, edgeId: string, error: string | undefined): void {
    if (!waiter.pending.delete(edgeId)) return;
    this.report(waiter, error === undefined ? { edgeId } : { edgeId, error });
    if (waiter.pending.size === 0) waiter.wake();
  }

  private onAck(msg: Msg): void {
    const edgeId = edgeOfSubject(msg.subject);
    const ack = decodeAck(msg.data);
    if (!edgeId || !ack) return void this.log.warn({ subject: msg.subject }, 'ignored a malformed edge ack');
    this.remember(edgeId, ack);
    this.onApplied(edgeId, ack.applied);
  }

  private onHeartbeat(msg: Msg): void {
    const edgeId = edgeOfSubject(msg.subject);
    const beat = decodeHeartbeat(msg.data);
    if (!edgeId || !beat) return;
    for (const refusal of beat.refused) this.remember(edgeId, refusal);
    this.onApplied(edgeId, beat.applied);
  }

  private remember(edgeId: string, ack: Ack): void {
    let recent = this.recent.get(edgeId);
    if (!recent) this.recent.set(edgeId, (recent = new Map()));
    if (recent.get(ack.seq)?.error !== undefined) return;
    recent.set(ack.seq, ack);
    if (recent.size > RECENT_ACKS) recent.delete(recent.keys().next().value!);
  }

  private onApplied(edgeId: string, applied: number): void {
    this.applied.set(edgeId, applied);
    for (const waiter of this.waiters) if (waiter.pending.has(edgeId)) this.settleFromKnown(waiter, edgeId);
  }
}
