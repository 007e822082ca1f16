/**
 * The tables as Kysely sees them. Times are epoch milliseconds and booleans 0/1 in both
 * SQLite and PostgreSQL, and JSON is TEXT, so one set of queries serves both stores.
 */
import type { Generated } from 'kysely';

export interface SubscriptionsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  subscription_id: string;
  /** The key value, sealed by SecretBox. */
  secret: string;
  scope: string;
  expires_at: number | null;
  rate_per_minute: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface EndpointsTable {
  id: string;
  subscription_id: string;
  custom_domain: string;
  host: string;
  icp: string;
  /** JSON array of strings. */
  origin_addresses: string;
  service_type: string;
  enabled: number;
  lifetime_status: string;
  time_last_updated: number;
  /** JSON CachePolicyRules. */
  cache_policy: string;
  /** JSON AccessControlPolicy. */
  access_control: string;
  certificate_id: string | null;
  created_at: number;
  /** Set when a delete succeeds; such rows are kept so their operations stay readable. */
  deleted_at: number | null;
}

export interface OperationsTable {
  /** Acceptance order: operations of one endpoint run in this order. */
  seq: Generated<number>;
  id: string;
  subscription_id: string;
  endpoint_id: string;
  type: string;
  status: string;
  message: string | null;
  started_at: number;
  ended_at: number | null;
  /** JSON OperationPayload. */
  payload: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface OperationItemsTable {
  operation_id: string;
  position: number;
  kind: string;
  url: string;
  path: string;
  query: string;
  status: string;
  message: string | null;
}

export interface CertificatesTable {
  id: string;
  subscription_id: string;
  name: string;
  subject: string;
  issuer: string;
  thumbprint: string;
  /** JSON array of strings. */
  dns_names: string;
  not_before: number;
  not_after: number;
  certificate_pem: string;
  /** PKCS#8 PEM, sealed by SecretBox. */
  private_key: string;
  created_at: number;
}

export interface TrafficTable {
  endpoint_id: string;
  /** Start of the 5-minute bucket. */
  bucket_start: number;
  cdn_bytes: number;
  origin_bytes: number;
}

export interface QuotaUsageTable {
  subscription_id: string;
  /** UTC day, yyyy-MM-dd. */
  day: string;
  kind: string;
  used: number;
}

export interface EdgesTable {
  id: string;
  /** host:port of its HTTP listener, as the edge reported it. */
  address: string;
  /** What the edge said it was doing: serving, syncing or fenced. */
  state: string;
  applied_seq: number;
  /** The fleet log's last sequence when the heartbeat was answered (lag = log_seq - applied_seq). */
  log_seq: number;
  first_seen: number;
  last_heartbeat: number;
  /** Until when (the database's clock) the edge may serve from cache without hearing from us. */
  lease_until: number;
  /** The features its last heartbeat named, space-separated; null when it named none (an older edge). */
  features: string | null;
}

export interface OperationEdgesTable {
  operation_id: string;
  edge_id: string;
  /** Succeeded, Failed, or Fenced (cut off: it drops the change's targets before it serves again). */
  status: string;
  message: string | null;
}

export interface TrafficReportsTable {
  /** The report's NATS message id. */
  id: string;
  received_at: number;
}

export interface IdempotencyKeysTable {
  subscription_id: string;
  key: string;
  /** SHA-256 (hex) of the method, target and body of the first request. */
  fingerprint: string;
  created_at: number;
  /** While the first request runs, when its claim lapses; null once it is answered. */
  locked_until: number | null;
  status: number | null;
  /** JSON object of the replayed response headers. */
  headers: string | null;
  body: string | null;
}

export interface WebhooksTable {
  subscription_id: string;
  name: string;
  url: string;
  /** Sealed by SecretBox. */
  secret: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  webhook_name: string;
  operation_id: string;
  body: string;
  /** Pending, Delivered or Failed. */
  status: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  delivered_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface Database {
  subscriptions: SubscriptionsTable;
  api_keys: ApiKeysTable;
  endpoints: EndpointsTable;
  operations: OperationsTable;
  operation_items: OperationItemsTable;
  certificates: CertificatesTable;
  traffic: TrafficTable;
  quota_usage: QuotaUsageTable;
  edges: EdgesTable;
  operation_edges: OperationEdgesTable;
  traffic_reports: TrafficReportsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
