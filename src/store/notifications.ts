/**
 * Changes other processes must hear of at once, over PostgreSQL LISTEN/NOTIFY: an operation
 * accepted (a worker anywhere may run it), an operation's status or items changed (long-polls
 * and event streams on any API replica answer), and credentials written (every API replica's
 * key cache is stale). Writers announce inside their transaction, so a notice is delivered only if,
 * and once, the change commits. SQLite has a single process: it announces nothing.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { OperationType } from '../domain/operation.js';
import type { DialectName } from './dialect.js';
import type { Database } from './schema.js';

const OPERATIONS = 'mooncdn_operations';
const CREDENTIALS = 'mooncdn_credentials';
const CHANGES = 'mooncdn_operation_changes';

/** An operation of this endpoint and type was accepted (or released) somewhere. */
export type OperationsListener = (endpointId?: string, type?: OperationType) => void;

export function announceOperation(db: Kysely<Database>, dialect: DialectName, endpointId: string, type: OperationType): Promise<unknown> {
  if (dialect !== 'postgres') return Promise.resolve();
  return sql`SELECT pg_notify(${OPERATIONS}, ${`${endpointId} ${type}`})`.execute(db);
}

/** Operation ids in one notice: well under NOTIFY's 8000-byte payload. */
const IDS_PER_NOTICE = 100;

/** These operations' status or items changed (inside a transaction: heard if and when it commits). */
export async function announceOperationChanges(db: Kysely<Database>, dialect: DialectName, operationIds: readonly string[]): Promise<void> {
  if (dialect !== 'postgres') return;
  for (let i = 0; i < operationIds.length; i += IDS_PER_NOTICE) {
    await sql`SELECT pg_notify(${CHANGES}, ${operationIds.slice(i, i + IDS_PER_NOTICE).join(' ')})`.execute(db);
  }
}

/** Operations were released (leases given back): any of them may run now. */
export function announceOperations(db: Kysely<Database>, dialect: DialectName): Promise<unknown> {
  if (dialect !== 'postgres') return Promise.resolve();
  return sql`SELECT pg_notify(${OPERATIONS}, '')`.execute(db);
}

/** Call after the write: outside a transaction the notice goes at once, and must not overtake it. */
export function announceCredentials(db: Kysely<Database>, dialect: DialectName): Promise<unknown> {
  if (dialect !== 'postgres') return Promise.resolve();
  return sql`SELECT pg_notify(${CREDENTIALS}, '')`.execute(db);
}

/** Waits between attempts to listen again, doubling up to the last. */
const RECONNECT_MS = [50, 100, 250, 500, 1_000, 2_000];

/**
 * One dedicated connection per process, LISTENing on every channel. When it is lost (a
 * failover, a restart, pg_terminate_backend) it connects again by itself, and then tells every
 * subscriber once that something may have changed: notices sent meanwhile were lost.
 */
export class ChangeListener {
  private readonly operations = new Set<OperationsListener>();
  private readonly credentials = new Set<() => void>();
  private readonly changes = new Set<(operationId: string | undefined) => void>();
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  /** Credential notices heard, plus one per connection made: the API's caches key on it. */
  credentialEvents = 0;
  /** Connections made so far (tests wait for a reconnection with it). */
  connects = 0;

  constructor(private readonly connectionString: string) {}

  /** Whether notices are being heard now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Makes the first attempt; on failure it keeps trying in the background. */
  start(): Promise<void> {
    return this.connect();
  }

  onOperations(callback: OperationsListener): () => void {
    this.operations.add(callback);
    return () => this.operations.delete(callback);
  }

  /** Told the id of each changed operation (a notice carries up to IDS_PER_NOTICE); without one after a reconnection (look at all). */
  onOperationChange(callback: (operationId: string | undefined) => void): () => void {
    this.changes.add(callback);
    return () => this.changes.delete(callback);
  }

  onCredentials(callback: () => void): () => void {
    this.credentials.add(callback);
    return () => this.credentials.delete(callback);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    // keepAlive: a connection that dies silently (no FIN) is noticed by the system, not never.
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5_000, keepAlive: true });
    client.on('error', () => undefined); // a lost connection is handled on 'end'
    client.on('notification', (message) => this.heard(message.channel, message.payload));
    client.once('end', () => {
      // A client that never became the listener is retried from the catch below.
      if (this.client !== client) return;
      this.client = undefined;
      if (!this.closed) this.reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OPERATIONS}; LISTEN ${CREDENTIALS}; LISTEN ${CHANGES}`);
    } catch {
      await client.end().catch(() => undefined);
      if (!this.closed) this.reconnectLater();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.connects++;
    // Whatever was announced while nobody listened was missed: everyone looks once.
    this.credentialEvents++;
    for (const callback of this.credentials) callback();
    for (const callback of this.operations) callback();
    for (const callback of this.changes) callback(undefined);
  }

  private reconnectLater(): void {
    clearTimeout(this.retry);
    const wait = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)]!;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, wait);
  }

  private heard(channel: string, payload: string | undefined): void {
    if (channel === CREDENTIALS) {
      this.credentialEvents++;
      for (const callback of this.credentials) callback();
      return;
    }
    if (channel === CHANGES) {
      const ids = (payload ?? '').split(' ').filter(Boolean);
      for (const callback of this.changes) {
        if (ids.length === 0) callback(undefined);
        for (const id of ids) callback(id);
      }
      return;
    }
    const [endpointId, type] = (payload ?? '').split(' ');
    for (const callback of this.operations) {
      if (endpointId && type) callback(endpointId, type as OperationType);
      else callback();
    }
  }
}
