/**
 * What the control plane and the edges of the scaled shape say to each other over NATS: the
 * names of the streams and subjects, and every message's shape. Both sides import this file and
 * nothing of each other.
 *
 *   mooncdn.fleet.log                  JetStream stream MOONCDN_FLEET: every change edges apply,
 *                                      in order; the stream sequence is the change's sequence
 *   KV bucket mooncdn_endpoints        each endpoint's whole configuration (full resyncs)
 *   mooncdn.edge.<id>.heartbeat        edge -> workers (request): applied sequence, state and
 *                                      features; the reply grants a lease and gives the log's
 *                                      last sequence
 *   mooncdn.edge.<id>.ack              edge -> workers: a change applied, refused or (preloads) done
 *   mooncdn.edge.<id>.traffic          edge -> JetStream stream MOONCDN_TRAFFIC: metered bytes
 *
 * An edge publishes only under mooncdn.edge.<its id>.>, so NATS permissions (README) keep one
 * edge from speaking for another; the control plane takes the id from the subject, never the body.
 */
import type { EdgeEndpointConfig, PreloadTarget, PurgeSet, PurgeTarget } from '../../operations/edge-config.js';
import type { TrafficSample } from '../../domain/traffic-sample.js';

export const LOG_STREAM = 'MOONCDN_FLEET';
export const LOG_SUBJECT = 'mooncdn.fleet.log';
export const CONFIG_BUCKET = 'mooncdn_endpoints';
export const TRAFFIC_STREAM = 'MOONCDN_TRAFFIC';
export const TRAFFIC_CONSUMER = 'traffic-writer';
/** Workers answer heartbeats as one queue group: each heartbeat is recorded once. */
export const WORKER_QUEUE = 'mooncdn-workers';

export const EDGE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function edgeSubject(edgeId: string, kind: 'heartbeat' | 'ack' | 'traffic'): string {
  return `mooncdn.edge.${edgeId}.${kind}`;
}
/** Every edge's messages of one kind. */
export function allEdges(kind: 'heartbeat' | 'ack' | 'traffic'): string {
  return `mooncdn.edge.*.${kind}`;
}
/** The edge id in a subject made by edgeSubject, or undefined. */
export function edgeOfSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  return parts.length === 4 && parts[0] === 'mooncdn' && parts[1] === 'edge' && EDGE_ID_PATTERN.test(parts[2]!) ? parts[2] : undefined;
}

/** One change in the log. */
export type LogEntry =
  | { readonly kind: 'apply'; readonly config: EdgeEndpointConfig }
  | { readonly kind: 'remove'; readonly endpointId: string }
  | { readonly kind: 'purge'; readonly endpointId: string; readonly target: PurgeTarget }
  | { readonly kind: 'preload'; readonly endpointId: string; readonly target: PreloadTarget };

export type EdgeState = 'serving' | 'syncing' | 'fenced';

/**
 * What an edge can do beyond what every edge of the scaled shape does, named in each heartbeat.
 * An edge older than a feature ignores the field of the change that asks for it and would ACK
 * the change as done, so the workers never count on an edge for a feature it did not name (see
 * featuresNeeded). Edges older than this list name none: they know none of these. A new kind of
 * change, or a new field an older edge would ignore, adds a name here.
 */
export const EDGE_FEATURES = ['purge-tags', 'purge-soft', 'purge-wildcards'] as const;
export type EdgeFeature = (typeof EDGE_FEATURES)[number];
/** How any feature is named, those of newer edges too (the workers store them space-separated). */
const FEATURE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The features an edge needs to do this purge, not just to ACK it. */
export function featuresNeeded(target: PurgeTarget): EdgeFeature[] {
  const parts = target.soft ? [target, target.soft] : [target];
  const needed: EdgeFeature[] = [];
  if (parts.some((part) => (part.tags?.length ?? 0) > 0)) needed.push('purge-tags');
  if (target.soft) needed.push('purge-soft');
  if (parts.some((part) => part.patterns.length > 0)) needed.push('purge-wildcards');
  return needed;
}

const FEATURE_WORDS: Record<EdgeFeature, string> = {
  'purge-tags': 'purge by tag (Tags)',
  'purge-soft': 'purge softly (Soft)',
  'purge-wildcards': 'purge by wildcard ("*" in a path)',
};

/** Why an edge that lacks these features fails the change (the operation's Message names the edge before it). */
export function lackingFeatures(missing: readonly EdgeFeature[]): string {
  return `cannot ${missing.map((feature) => FEATURE_WORDS[feature]).join(' or ')}: its mooncdn is older than that (its heartbeats do not name ${missing.map((f) => `"${f}"`).join(', ')}); upgrade mooncdn on that edge to the control plane's version`;
}

export interface Heartbeat {
  /** Every change up to this sequence is applied (preloads: started). */
  readonly applied: number;
  readonly state: EdgeState;
  /** host:port where it serves HTTP. */
  readonly address: string;
  /** The latest changes it refused (NACKs), again: the ack that said so may have been lost. */
  readonly refused: readonly Ack[];
  /** EDGE_FEATURES it has; none from an edge older than the list (and names it does not know are kept, for newer edges). */
  readonly features: readonly string[];
}

export interface HeartbeatReply {
  /** The log's last sequence, read after the lease was recorded. */
  readonly logSeq: number;
  /** How long the edge may serve from cache after sending the heartbeat this answers. */
  readonly leaseMs: number;
}

/** An edge's answer about one change: applied (no error), refused (NACK), or a preload's end. */
export interface Ack {
  readonly seq: number;
  readonly applied: number;
  readonly error?: string;
}

export interface TrafficReport {
  readonly samples: readonly TrafficSample[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(message: object): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

/** The message as JSON, or undefined when it is not a JSON object (the caller says what it expected). */
function decodeObject(data: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(data));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isText = (value: unknown): value is string => typeof value === 'string';
const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isText);

/** Lists of paths and (optionally: older control planes send none) tags, or undefined. */
function asPurgeSet(value: unknown): PurgeSet | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const set = value as Record<string, unknown>;
  if (!isTextList(set.files) || !isTextList(set.directories) || !isTextList(set.patterns)) return undefined;
  if (set.tags !== undefined && !isTextList(set.tags)) return undefined;
  return { files: set.files, directories: set.directories, patterns: set.patterns, tags: set.tags ?? [] };
}

/** The log entry, or a sentence saying why it is not one (the edge NACKs with it). */
export function decodeLogEntry(data: Uint8Array): LogEntry | { readonly problem: string } {
  const value = decodeObject(data);
  const kind = value?.kind;
  if (value === undefined || !isText(kind)) return { problem: 'the change is not a JSON object with a kind' };
  switch (kind) {
    case 'apply': {
      const config = asConfig(value.config);
      return config ? { kind, config } : { problem: 'the endpoint configuration is incomplete' };
    }
    case 'remove':
      return isText(value.endpointId) ? { kind, endpointId: value.endpointId } : { problem: 'the removal names no endpoint' };
    case 'purge': {
      const target = asPurgeSet(value.target);
      if (!isText(value.endpointId) || !target) return { problem: 'the purge has no endpoint, or no lists of files, directories, patterns and tags' };
      const soft = (value.target as Record<string, unknown>).soft;
      if (soft === undefined) return { kind, endpointId: value.endpointId, target };
      const softSet = asPurgeSet(soft);
      return softSet ? { kind, endpointId: value.endpointId, target: { ...target, soft: softSet } } : { problem: 'the soft part of the purge has no lists of files, directories, patterns and tags' };
    }
    case 'preload': {
      const target = value.target as Record<string, unknown> | undefined;
      if (!isText(value.endpointId) || !target || !isText(target.path) || !isText(target.query)) return { problem: 'the preload has no endpoint or no path' };
      return { kind, endpointId: value.endpointId, target: { path: target.path, query: target.query } };
    }
    default:
      return { problem: `this edge does not know changes of kind "${kind}" (is it older than the control plane?)` };
  }
}

/** An endpoint configuration as the bucket holds it (JSON text), or undefined. */
export function decodeConfig(data: Uint8Array): EdgeEndpointConfig | undefined {
  return asConfig(decodeObject(data));
}

function asConfig(value: unknown): EdgeEndpointConfig | undefined {
  const config = value as Record<string, unknown> | undefined;
  if (typeof config !== 'object' || config === null || !isText(config.endpointId) || !isText(config.customDomain)) return undefined;
  return config as unknown as EdgeEndpointConfig;
}

export function decodeHeartbeat(data: Uint8Array): Heartbeat | undefined {
  const value = decodeObject(data);
  if (!value || !isSeq(value.applied) || !isText(value.address) || value.address.length > 300) return undefined;
  if (value.state !== 'serving' && value.state !== 'syncing' && value.state !== 'fenced') return undefined;
  const refused = Array.isArray(value.refused) ? value.refused.slice(0, 64).map((ack) => decodeAckValue(ack)) : [];
  if (refused.some((ack) => ack === undefined)) return undefined;
  // Absent from edges older than features; a malformed list is taken as none (the edge still gets its lease).
  const features = isTextList(value.features) ? value.features.slice(0, 64).filter((name) => FEATURE_NAME.test(name)) : [];
  return { applied: value.applied, state: value.state, address: value.address, refused: refused as Ack[], features };
}

export function decodeHeartbeatReply(data: Uint8Array): HeartbeatReply | undefined {
  const value = decodeObject(data);
  if (!value || !isSeq(value.logSeq) || !isSeq(value.leaseMs) || value.leaseMs === 0) return undefined;
  return { logSeq: value.logSeq, leaseMs: value.leaseMs };
}

export function decodeAck(data: Uint8Array): Ack | undefined {
  return decodeAckValue(decodeObject(data));
}

function decodeAckValue(value: Record<string, unknown> | undefined): Ack | undefined {
  if (typeof value !== 'object' || value === null || !isSeq(value.seq) || !isSeq(value.applied)) return undefined;
  if (value.error !== undefined && !isText(value.error)) return undefined;
  return { seq: value.seq, applied: value.applied, ...(isText(value.error) ? { error: value.error.slice(0, 1000) } : {}) };
}

export function decodeTrafficReport(data: Uint8Array): TrafficReport | undefined {
  const value = decodeObject(data);
  if (!value || !Array.isArray(value.samples)) return undefined;
  const samples: TrafficSample[] = [];
  for (const sample of value.samples as Record<string, unknown>[]) {
    if (typeof sample !== 'object' || sample === null || !isText(sample.endpointId) || !isSeq(sample.bucketStart) || !isSeq(sample.cdnBytes) || !isSeq(sample.originBytes)) {
      return undefined;
    }
    samples.push({ endpointId: sample.endpointId, bucketStart: sample.bucketStart, cdnBytes: sample.cdnBytes, originBytes: sample.originBytes });
  }
  return { samples };
}
