/**
 * The fleet as an operator sees it (GET /edges, `mooncdn admin edges`, metrics), from the edges'
 * last heartbeats: an edge whose lease has run out is fenced whatever it last said, because it
 * has stopped serving from cache by now (or cannot say otherwise).
 */
export interface EdgeRow {
  readonly id: string;
  readonly address: string;
  readonly state: string;
  readonly appliedSeq: number;
  readonly logSeq: number;
  readonly features: readonly string[];
  readonly lastHeartbeat: number;
  readonly leaseUntil: number;
}

export interface EdgeView {
  readonly id: string;
  readonly address: string;
  readonly state: 'serving' | 'syncing' | 'fenced';
  readonly appliedSeq: number;
  /** Changes in the log it had not applied at its last heartbeat. */
  readonly lag: number;
  /** What its heartbeats say it can do; none from an edge older than features (fleet/nats/protocol.ts). */
  readonly features: readonly string[];
  readonly lastHeartbeat: number;
  readonly heartbeatAgeMs: number;
  readonly leaseUntil: number;
}

export function fleetView(now: number, rows: readonly EdgeRow[]): EdgeView[] {
  return rows.map((row) => ({
    id: row.id,
    address: row.address,
    state: row.leaseUntil <= now ? 'fenced' : row.state === 'serving' || row.state === 'syncing' ? row.state : 'fenced',
    appliedSeq: row.appliedSeq,
    lag: Math.max(0, row.logSeq - row.appliedSeq),
    features: row.features,
    lastHeartbeat: row.lastHeartbeat,
    heartbeatAgeMs: Math.max(0, now - row.lastHeartbeat),
    leaseUntil: row.leaseUntil,
  }));
}
