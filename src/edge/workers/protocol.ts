/**
 * What the primary of `--edge-workers N` and its edge workers say to each other over the
 * cluster IPC channel (JSON), and the checks every received message passes before it is acted
 * on: a message of the wrong shape is refused (undefined), never half-applied.
 *
 *   primary -> worker   start (settings, every configuration, the lease), call (apply, remove,
 *                       purge, preload, drop, metrics: each answered by `done`), lease, deny,
 *                       invalidate (another worker's), traffic-done (the answer to a worker's
 *                       traffic), stop
 *   worker -> primary   hello (ready for `start`), listening (its ports), start-failed, done,
 *                       traffic (metered samples for the primary's sink), invalidate (what an
 *                       unsafe request invalidated there, RFC 9111 §4.4, for the others)
 *
 * A purge's target is passed through whole (only its lists are checked), so kinds of purge
 * added later reach the workers without a change here.
 */
import type { TrafficSample } from '../../domain/traffic-sample.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../../operations/edge-config.js';
import type { InvalidatedTarget } from '../policy/invalidation.js';

/** The edge settings a worker builds its edge from (serve-config.ts's `edge`, already divided by N). */
export type WorkerEdgeSettings = Record<string, unknown> & { readonly cacheBytes: number; readonly fillBytes: number };

export interface StartMessage {
  readonly t: 'start';
  /** 0..N-1: names the worker's disk sub-directory and its log lines. */
  readonly slot: number;
  readonly edgeId: string;
  readonly settings: WorkerEdgeSettings;
  readonly host: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** A restarted worker drops its disk tier: it may hold what was purged while it was down. */
  readonly dropDisk: boolean;
  readonly logLevel: string;
  readonly logFormat: string;
  readonly configs: readonly EdgeEndpointConfig[];
  readonly lease: Lease;
  /** Listeners origins may not be (the API, the edge's own ports). */
  readonly denied: readonly Listener[];
}

/** How long the worker may answer from its cache: `forMs` from `sentAt` (Date.now()); null: for ever. */
export interface Lease {
  readonly forMs: number | null;
  readonly sentAt: number;
}

export interface Listener {
  readonly address: string;
  readonly port: number;
}

export type Call =
  | { readonly op: 'apply'; readonly config: EdgeEndpointConfig }
  | { readonly op: 'remove'; readonly endpointId: string }
  | { readonly op: 'purge'; readonly endpointId: string; readonly target: PurgeTarget }
  | { readonly op: 'preload'; readonly endpointId: string; readonly target: PreloadTarget }
  | { readonly op: 'drop' }
  | { readonly op: 'metrics' };

export type ToWorker =
  | StartMessage
  | ({ readonly t: 'call'; readonly id: number } & Call)
  | ({ readonly t: 'lease' } & Lease)
  | ({ readonly t: 'deny' } & Listener)
  | Invalidate
  | { readonly t: 'traffic-done'; readonly id: number; readonly error?: string }
  | { readonly t: 'stop' };

export type ToPrimary =
  | { readonly t: 'hello' }
  | { readonly t: 'listening'; readonly httpPort: number; readonly httpsPort: number }
  | { readonly t: 'start-failed'; readonly message: string }
  /** `metrics`: the worker's registry as prom-client's getMetricsAsJSON() gives it (for `metrics` calls). */
  | { readonly t: 'done'; readonly id: number; readonly error?: string; readonly metrics?: unknown[] }
  | { readonly t: 'traffic'; readonly id: number; readonly samples: readonly TrafficSample[] }
  | Invalidate;

export interface Invalidate {
  readonly t: 'invalidate';
  readonly endpointId: string;
  readonly targets: readonly InvalidatedTarget[];
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isPort = (value: unknown): value is number => isCount(value) && value <= 65535;
const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isText);
/** Error texts are cut: a message is a sentence, not a payload. */
const errorOf = (value: Fields): { error?: string } | undefined => {
  if (value.error === undefined) return {};
  return isText(value.error) ? { error: value.error.slice(0, 1000) } : undefined;
};

function asConfig(value: unknown): EdgeEndpointConfig | undefined {
  // The node checks the rest itself (policy/usable-config.ts): what it cannot use it leaves out.
  return isObject(value) && isText(value.endpointId) && isText(value.customDomain) ? (value as unknown as EdgeEndpointConfig) : undefined;
}

function asPurgeTarget(value: unknown): PurgeTarget | undefined {
  if (!isPurgeSet(value) || !(value.soft === undefined || isPurgeSet(value.soft))) return undefined;
  return value as unknown as PurgeTarget;
}

/** Files, directories, patterns and (optional) tags: the lists of a purge or of its soft part. */
function isPurgeSet(value: unknown): value is Fields {
  return isObject(value) && isTextList(value.files) && isTextList(value.directories) && isTextList(value.patterns) && (value.tags === undefined || isTextList(value.tags));
}

function asLease(value: Fields): Lease | undefined {
  if (!(value.forMs === null || (typeof value.forMs === 'number' && Number.isFinite(value.forMs))) || !isCount(value.sentAt)) return undefined;
  return { forMs: value.forMs === null ? null : Math.max(0, value.forMs), sentAt: value.sentAt };
}

function asListener(value: unknown): Listener | undefined {
  return isObject(value) && isText(value.address) && isPort(value.port) ? { address: value.address, port: value.port } : undefined;
}

function asInvalidate(value: Fields): Invalidate | undefined {
  if (!isText(value.endpointId) || !Array.isArray(value.targets)) return undefined;
  const targets: InvalidatedTarget[] = [];
  for (const target of value.targets as unknown[]) {
    if (!isObject(target) || !isText(target.path) || !isText(target.query)) return undefined;
    targets.push({ path: target.path, query: target.query });
  }
  return { t: 'invalidate', endpointId: value.endpointId, targets };
}

function asCall(value: Fields): Call | undefined {
  switch (value.op) {
    case 'apply': {
      const config = asConfig(value.config);
      return config && { op: 'apply', config };
    }
    case 'remove':
      return isText(value.endpointId) ? { op: 'remove', endpointId: value.endpointId } : undefined;
    case 'purge': {
      const target = asPurgeTarget(value.target);
      return target && isText(value.endpointId) ? { op: 'purge', endpointId: value.endpointId, target } : undefined;
    }
    case 'preload': {
      const target = value.target;
      if (!isText(value.endpointId) || !isObject(target) || !isText(target.path) || !isText(target.query)) return undefined;
      return { op: 'preload', endpointId: value.endpointId, target: { path: target.path, query: target.query } };
    }
    case 'drop':
      return { op: 'drop' };
    case 'metrics':
      return { op: 'metrics' };
    default:
      return undefined;
  }
}

/** A message from the primary, or undefined when it is not one this worker understands. */
export function decodeToWorker(value: unknown): ToWorker | undefined {
  if (!isObject(value)) return undefined;
  switch (value.t) {
    case 'start': {
      const lease = isObject(value.lease) ? asLease(value.lease) : undefined;
      const settings = value.settings;
      const configs = Array.isArray(value.configs) ? value.configs.map(asConfig) : undefined;
      const denied = Array.isArray(value.denied) ? value.denied.map(asListener) : undefined;
      if (!isCount(value.slot) || !isText(value.edgeId) || !isText(value.host) || !isPort(value.httpPort) || !isPort(value.httpsPort)) return undefined;
      if (!isObject(settings) || !isCount(settings.cacheBytes) || !isCount(settings.fillBytes) || typeof value.dropDisk !== 'boolean') return undefined;
      if (!isText(value.logLevel) || !isText(value.logFormat) || !lease || !configs || configs.includes(undefined) || !denied || denied.includes(undefined)) return undefined;
      return {
        t: 'start',
        slot: value.slot,
        edgeId: value.edgeId,
        settings: settings as WorkerEdgeSettings,
        host: value.host,
        httpPort: value.httpPort,
        httpsPort: value.httpsPort,
        dropDisk: value.dropDisk,
        logLevel: value.logLevel,
        logFormat: value.logFormat,
        configs: configs as EdgeEndpointConfig[],
        lease,
        denied: denied as Listener[],
      };
    }
    case 'call': {
      const call = isCount(value.id) ? asCall(value) : undefined;
      return call && { t: 'call', id: value.id as number, ...call };
    }
    case 'lease': {
      const lease = asLease(value);
      return lease && { t: 'lease', ...lease };
    }
    case 'deny': {
      const listener = asListener(value);
      return listener && { t: 'deny', ...listener };
    }
    case 'traffic-done': {
      const error = errorOf(value);
      return isCount(value.id) && error ? { t: 'traffic-done', id: value.id, ...error } : undefined;
    }
    case 'invalidate':
      return asInvalidate(value);
    case 'stop':
      return { t: 'stop' };
    default:
      return undefined;
  }
}

/** A message from a worker, or undefined when it is not one the primary understands. */
export function decodeToPrimary(value: unknown): ToPrimary | undefined {
  if (!isObject(value)) return undefined;
  switch (value.t) {
    case 'hello':
      return { t: 'hello' };
    case 'listening':
      return isPort(value.httpPort) && isPort(value.httpsPort) && value.httpPort > 0 && value.httpsPort > 0
        ? { t: 'listening', httpPort: value.httpPort, httpsPort: value.httpsPort }
        : undefined;
    case 'start-failed':
      return isText(value.message) ? { t: 'start-failed', message: value.message.slice(0, 1000) } : undefined;
    case 'done': {
      const error = errorOf(value);
      if (!isCount(value.id) || !error || (value.metrics !== undefined && !Array.isArray(value.metrics))) return undefined;
      return { t: 'done', id: value.id, ...error, ...(Array.isArray(value.metrics) ? { metrics: value.metrics as unknown[] } : {}) };
    }
    case 'traffic': {
      if (!isCount(value.id) || !Array.isArray(value.samples)) return undefined;
      const samples: TrafficSample[] = [];
      for (const sample of value.samples as unknown[]) {
        if (!isObject(sample) || !isText(sample.endpointId) || !isCount(sample.bucketStart) || !isCount(sample.cdnBytes) || !isCount(sample.originBytes)) return undefined;
        samples.push({ endpointId: sample.endpointId, bucketStart: sample.bucketStart, cdnBytes: sample.cdnBytes, originBytes: sample.originBytes });
      }
      return { t: 'traffic', id: value.id, samples };
    }
    case 'invalidate':
      return asInvalidate(value);
    default:
      return undefined;
  }
}
