/**
 * The JetStream streams and the bucket of the scaled shape, made (or brought to this
 * configuration) by every worker at start: the log edges replay, the endpoint configurations
 * they resync from, and the traffic reports workers write to the store.
 */
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { CONFIG_BUCKET, LOG_STREAM, LOG_SUBJECT, TRAFFIC_STREAM, allEdges } from './protocol.js';

export interface FleetStreamSettings {
  /** Changes the log keeps; an edge that falls further behind resyncs in full. */
  readonly logMaxMessages: number;
}

/** `created`: the log did not exist (a new NATS, or one that lost its data): its bucket needs filling. */
export async function ensureFleetStreams(nc: NatsConnection, settings: FleetStreamSettings): Promise<{ jsm: JetStreamManager; configs: KV; created: boolean }> {
  const jsm = await jetstreamManager(nc);
  const created = await ensureStream(jsm, {
    name: LOG_STREAM,
    subjects: [LOG_SUBJECT],
    storage: StorageType.File,
    max_msgs: settings.logMaxMessages,
    // A publish retried after a lost acknowledgement is recognised by its message id.
    duplicate_window: nanos(120_000),
  });
  await ensureStream(jsm, {
    name: TRAFFIC_STREAM,
    subjects: [allEdges('traffic')],
    storage: StorageType.File,
    // Reports wait here while no worker runs; a worker removes what it has written.
    retention: RetentionPolicy.Workqueue,
    duplicate_window: nanos(120_000),
  });
  const configs = await new Kvm(nc).create(CONFIG_BUCKET, { history: 1, storage: StorageType.File });
  return { jsm, configs, created };
}

/** Returns whether the stream was made now. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<boolean> {
  const existing = await jsm.streams.info(config.name).catch(() => undefined);
  if (!existing) {
    await jsm.streams.add(config);
    return true;
  }
  if (config.max_msgs !== undefined && existing.config.max_msgs !== config.max_msgs) {
    await jsm.streams.update(config.name, { max_msgs: config.max_msgs });
  }
  return false;
}

/** The log's last sequence (0 while it is empty). */
export async function lastLogSeq(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(LOG_STREAM)).state.last_seq;
}
