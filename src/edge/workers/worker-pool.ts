/**
 * The primary of `--edge-workers N`: N edge processes (node:cluster) sharing the edge's HTTP and
 * HTTPS ports, driven as one edge. It is what the fleet sees (EdgeAgent, and the LinkedEdge of
 * the NATS link): every configuration, purge, preload and cache drop goes to every worker, and
 * a call resolves only when every live worker has answered. A worker that dies is forked again
 * with the current configurations (applied before it listens) and without its disk tier (it
 * may hold what was purged while it was down); a call it never answered counts as done, since
 * a dead worker holds nothing in memory.
 *
 * Each worker caches on its own, with 1/N of each budget (a popular object is fetched up to N
 * times); their metered traffic reaches the primary's sink, their metrics its scrape.
 */
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { TrafficSample } from '../../domain/traffic-sample.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../../operations/edge-config.js';
import type { EdgeAgent } from '../../fleet/edge-agent.js';
import type { Call, Lease, Listener, StartMessage, ToPrimary, WorkerEdgeSettings } from './protocol.js';
import { WorkerSlot, type SlotOwner } from './worker-slot.js';

export interface WorkerPoolOptions {
  readonly workers: number;
  /** The worker's entry module (server/edge-worker.ts, built). */
  readonly exec: string;
  readonly edgeId: string;
  /** Each worker's settings (already divided by N); `slot` picks its disk sub-directory. */
  readonly settingsFor: (slot: number) => WorkerEdgeSettings;
  readonly host: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly logLevel: string;
  readonly logFormat: string;
  /** Where the workers' metered traffic goes (the store, or NATS). */
  readonly sink: (samples: TrafficSample[]) => Promise<void>;
  readonly log: Logger;
  /** Variables set for the workers over this process's (secrets they do not need blanked). */
  readonly env?: Record<string, string>;
}

export class WorkerPool implements EdgeAgent, SlotOwner {
  readonly id: string;
  readonly log: Logger;
  readonly env: Record<string, string>;
  stopping = false;
  private readonly slots: WorkerSlot[];
  private readonly configs = new Map<string, EdgeEndpointConfig>();
  private readonly denied: Listener[] = [];
  private lease: number = Infinity;
  private ports: { httpPort: number; httpsPort: number } | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.id = options.edgeId;
    this.log = options.log;
    this.env = options.env ?? {};
    this.slots = Array.from({ length: options.workers }, (_, index) => new WorkerSlot(index, this));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers listening now (a restarted one counts once it listens again). */
  get listening(): number {
    return this.slots.filter((slot) => slot.isListening).length;
  }

  /** The ports the workers share (known once start() resolved). */
  get httpPort(): number {
    return this.ports?.httpPort ?? 0;
  }

  get httpsPort(): number {
    return this.ports?.httpsPort ?? 0;
  }

  /** The process ids of the workers alive now, by slot (tests and operators). */
  get pids(): (number | undefined)[] {
    return this.slots.map((slot) => slot.pid);
  }

  /**
   * Forks every worker with the configurations given so far; resolves when all listen, rejects
   * with the first one's reason if one cannot (the others are stopped).
   */
  async start(): Promise<void> {
    // The command line is the primary's: a worker takes its settings from `start` alone.
    cluster.setupPrimary({ exec: this.options.exec, execArgv: process.execArgv, args: [], silent: false });
    try {
      await Promise.all(this.slots.map((slot) => slot.fork(false)));
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Asks every worker to drain its listeners and exit (slots kill those that do not). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => slot.stop()));
  }

  // ---- the edge as the fleet sees it -------------------------------------------------------

  /** Until when (performance.now()) the workers may answer from their caches (EdgeNode.cacheUntil). */
  get cacheUntil(): number {
    return this.lease;
  }

  set cacheUntil(until: number) {
    this.lease = until;
    const lease = this.leaseNow();
    for (const slot of this.slots) slot.send({ t: 'lease', ...lease });
  }

  endpointIds(): string[] {
    return [...this.configs.keys()];
  }

  async applyEndpoint(config: EdgeEndpointConfig): Promise<void> {
    const previous = this.configs.get(config.endpointId);
    this.configs.set(config.endpointId, config);
    try {
      await this.everyWorker({ op: 'apply', config });
    } catch (error) {
      // The workers kept the configuration they had (EdgeNode refuses before it changes
      // anything): so does a worker started later.
      if (previous) this.configs.set(config.endpointId, previous);
      else this.configs.delete(config.endpointId);
      throw error;
    }
  }

  async removeEndpoint(endpointId: string): Promise<void> {
    this.configs.delete(endpointId);
    await this.everyWorker({ op: 'remove', endpointId });
  }

  /** The target goes through whole: whatever kinds of purge it holds, each worker obeys them. */
  async purge(endpointId: string, target: PurgeTarget): Promise<void> {
    await this.everyWorker({ op: 'purge', endpointId, target });
  }

  /** Every worker fetches it, so it is a hit whichever worker a client reaches. */
  async preload(endpointId: string, target: PreloadTarget): Promise<void> {
    await this.everyWorker({ op: 'preload', endpointId, target });
  }

  /** Sent in order before whatever comes next: the workers handle messages one after another. */
  dropCache(): void {
    void this.everyWorker({ op: 'drop' }).catch((error: unknown) => this.log.warn({ err: error }, 'an edge worker could not drop its cache'));
  }

  /** Listeners origins may not be, in every worker (now and after a restart). */
  denyListener(address: string, port: number): void {
    this.denied.push({ address, port });
    for (const slot of this.slots) slot.send({ t: 'deny', address, port });
  }

  /** Each listening worker's metrics (prom-client's JSON form), for the primary's scrape. */
  async workerMetrics(): Promise<unknown[][]> {
    const answers = await Promise.all(this.slots.filter((slot) => slot.isListening).map((slot) => slot.call({ op: 'metrics' })));
    return answers.flatMap((answer) => (answer.metrics ? [answer.metrics] : []));
  }

  // ---- what the slots ask (SlotOwner) --------------------------------------------------------

  startFor(slot: number, restarted: boolean): StartMessage {
    return {
      t: 'start',
      slot,
      edgeId: this.options.edgeId,
      settings: this.options.settingsFor(slot),
      host: this.options.host,
      // As configured, 0 too: node:cluster keys a shared socket by address, port and the
      // worker's how-many-th listen on them, so every worker's first listen(0) shares the one
      // socket the first picked (while any worker holds it), its second the other.
      httpPort: this.options.httpPort,
      httpsPort: this.options.httpsPort,
      dropDisk: restarted,
      logLevel: this.options.logLevel,
      logFormat: this.options.logFormat,
      configs: [...this.configs.values()],
      lease: this.leaseNow(),
      denied: this.denied,
    };
  }

  listened(ports: { httpPort: number; httpsPort: number }): void {
    this.ports ??= ports;
  }

  heard(from: WorkerSlot, message: Extract<ToPrimary, { t: 'traffic' | 'invalidate' }>): void {
    if (message.t === 'invalidate') {
      for (const slot of this.slots) if (slot !== from) slot.send(message);
      return;
    }
    this.options.sink([...message.samples]).then(
      () => from.send({ t: 'traffic-done', id: message.id }),
      (error: Error) => from.send({ t: 'traffic-done', id: message.id, error: error.message }),
    );
  }

  // ---- broadcasts ----------------------------------------------------------------------------

  /** Resolves once every live worker answered; rejects with the first error one reported. */
  private async everyWorker(call: Call): Promise<void> {
    const answers = await Promise.all(this.slots.map((slot) => slot.call(call)));
    const failed = answers.find((answer) => answer.error !== undefined);
    if (failed) throw new Error(failed.error);
  }

  private leaseNow(): Lease {
    const forMs = this.lease === Infinity ? null : Math.max(0, this.lease - performance.now());
    return { forMs, sentAt: Date.now() };
  }
}

