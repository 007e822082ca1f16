/**
 * Every setting of `mooncdn serve`, once: its flag, its MOONCDN_* variable (the flag's name in
 * upper case), its default and how to read it. Flags win over the environment.
 */

export type OptionKind = 'string' | 'port' | 'count' | 'boolean' | 'file';

export interface OptionSpec {
  /** Flag name without dashes; the variable is MOONCDN_ + this in upper snake case. */
  readonly flag: string;
  readonly kind: OptionKind;
  readonly description: string;
  readonly default?: string;
  /** Only from the environment (secrets do not belong on a command line, where ps shows them). */
  readonly envOnly?: boolean;
}

export const SERVE_OPTIONS = [
  { flag: 'host', kind: 'string', default: '127.0.0.1', description: 'Address the API listens on (and the edge, unless --edge-host)' },
  { flag: 'edge-host', kind: 'string', description: 'Address the edge listens on; default: --host. A public edge (0.0.0.0) need not mean a public API' },
  { flag: 'port', kind: 'port', default: '7070', description: 'Port of the management API (0 picks a free one)' },
  { flag: 'edge-port', kind: 'port', default: '8080', description: 'HTTP port of the embedded edge' },
  { flag: 'edge-tls-port', kind: 'port', default: '8443', description: 'HTTPS port of the embedded edge' },
  { flag: 'data-dir', kind: 'string', default: './.mooncdn', description: 'Where the SQLite store lives' },
  { flag: 'database-url', kind: 'string', description: 'postgres://... to use PostgreSQL instead of SQLite' },
  { flag: 'tls-cert', kind: 'file', description: 'PEM certificate: serve the API over HTTPS' },
  { flag: 'tls-key', kind: 'file', description: 'PEM private key for --tls-cert' },
  { flag: 'public-url', kind: 'string', description: "The API's URL as clients reach it (behind a proxy, say), for Operation-Location and the development key's export line; default: the URL it listens on" },
  { flag: 'log-level', kind: 'string', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  { flag: 'log-format', kind: 'string', default: 'auto', description: 'json, pretty, or auto: pretty on a terminal, JSON lines otherwise' },
  { flag: 'signature-skew-minutes', kind: 'count', default: '15', description: 'How far a request date may be from the server clock' },
  { flag: 'allow-twelve-hour-dates', kind: 'boolean', default: 'true', description: "Accept the Java sample's 12-hour-clock request dates" },
  { flag: 'replay-cache', kind: 'boolean', default: 'false', description: 'Refuse a second use of the signature of a POST, PUT or DELETE (kept in this process)' },
  { flag: 'max-urls-per-request', kind: 'count', default: '100', description: 'URLs in one purge or preload request' },
  { flag: 'body-limit-bytes', kind: 'count', default: '1048576', description: 'Largest request body' },
  { flag: 'quota-file-purges', kind: 'count', default: '2000', description: 'File purges per subscription per UTC day' },
  { flag: 'quota-directory-purges', kind: 'count', default: '500', description: 'Directory purges per subscription per UTC day' },
  { flag: 'quota-preloads', kind: 'count', default: '2000', description: 'Preloads per subscription per UTC day' },
  { flag: 'edge-cache-bytes', kind: 'count', default: String(256 * 1024 * 1024), description: 'Byte budget of the edge cache (least recently used objects go first)' },
  { flag: 'edge-max-object-bytes', kind: 'count', default: String(32 * 1024 * 1024), description: 'Larger objects pass through uncached' },
  { flag: 'edge-origin-timeout-ms', kind: 'count', default: '30000', description: 'How long the edge waits for an origin before 504' },
  { flag: 'edge-access-log', kind: 'boolean', default: 'false', description: 'Log one line per edge request (host, path, status, cache result, bytes, time) at info' },
  { flag: 'edge-metrics-endpoints', kind: 'count', default: '100', description: 'Endpoints with metric series of their own; the rest share endpoint="other"' },
  {
    flag: 'edge-origin-deny',
    kind: 'string',
    description: "Origin addresses the edge refuses to connect to: comma-separated CIDR ranges, or 'private' (loopback, RFC 1918, link-local, ULA, CGNAT); set 'private' on a public edge",
  },
  { flag: 'edge-fill-bytes', kind: 'count', description: 'Bytes that cache fills in progress may hold; beyond it a fill streams through uncached (default: 64 MiB, or --edge-max-object-bytes if larger)' },
  { flag: 'edge-disk-bytes', kind: 'count', default: '0', description: "Byte budget of the edge's disk tier, where objects evicted from memory (and those too large for it) go; 0: no disk tier" },
  { flag: 'edge-disk-dir', kind: 'string', description: 'Where the disk tier keeps its files (default: <data-dir>/edge-cache); needs --edge-disk-bytes' },
  {
    flag: 'edge-workers',
    kind: 'count',
    default: '1',
    description: "Edge processes sharing the edge's ports (one per core, say); each caches on its own with 1/N of --edge-cache-bytes, --edge-fill-bytes and --edge-disk-bytes",
  },
  { flag: 'edge-origin-min-bytes-per-second', kind: 'count', default: '1024', description: 'Slowest an origin may send a body the edge is storing, over each --edge-origin-timeout-ms; slower is cut off (0: no minimum)' },
  { flag: 'edge-negative-ttl-seconds', kind: 'count', default: '10', description: 'Longest a cache rule (or a heuristic) keeps a 404, 405, 410 or 414 from the origin; 0: never (an explicit origin max-age still counts)' },
  {
    flag: 'edge-tag-headers',
    kind: 'string',
    default: 'Cache-Tag',
    description: 'Response headers whose values are cache tags for tag purges, comma separated (Surrogate-Key values are split on spaces, the others on commas); never sent on to clients',
  },
  { flag: 'meter-flush-ms', kind: 'count', default: '10000', description: 'How often metered traffic is written to the store' },
  { flag: 'cname-suffix', kind: 'string', default: 'mooncdn.localhost', description: "Endpoints' CName is {CustomDomain}.{this}: the name users point their DNS at" },
  { flag: 'edge-deadline-ms', kind: 'count', default: '30000', description: 'How long an operation waits for an edge to answer' },
  { flag: 'master-key', kind: 'string', envOnly: true, description: 'Encrypts API key values and private keys at rest' },
  { flag: 'subscription-id', kind: 'string', envOnly: true, description: 'Bootstrap: this subscription exists after start' },
  { flag: 'key-id', kind: 'string', envOnly: true, description: 'Bootstrap: this full-scope key exists after start' },
  { flag: 'key-value', kind: 'string', envOnly: true, description: 'Bootstrap: the value of that key (at least 32 characters)' },
] as const satisfies readonly OptionSpec[];

export type ServeOptionFlag = (typeof SERVE_OPTIONS)[number]['flag'];

/** The settings of the scaled shape's processes (`mooncdn api`, `worker`, `edge`) beyond serve's. */
export const FLEET_OPTIONS = [
  { flag: 'nats-url', kind: 'string', default: 'nats://127.0.0.1:4222', description: 'NATS server(s) with JetStream, comma separated; tls://host:port for TLS' },
  { flag: 'nats-user', kind: 'string', description: 'NATS user name (with MOONCDN_NATS_PASSWORD)' },
  { flag: 'nats-password', kind: 'string', envOnly: true, description: 'Password of --nats-user' },
  { flag: 'nats-token', kind: 'string', envOnly: true, description: 'NATS authentication token' },
  { flag: 'nats-creds', kind: 'string', description: 'NATS credentials file (NKey and JWT, as nsc writes it)' },
  { flag: 'nats-tls-ca', kind: 'string', description: "PEM file of the CA that signed the NATS server's certificate" },
  { flag: 'nats-tls-cert', kind: 'string', description: 'PEM client certificate for NATS servers that verify clients' },
  { flag: 'nats-tls-key', kind: 'string', description: 'PEM private key of --nats-tls-cert' },
  { flag: 'edge-id', kind: 'string', description: "This edge's id: lower-case letters, digits, - and _ (default: the host name)" },
  { flag: 'edge-lease-ms', kind: 'count', default: '10000', description: 'Fencing lease: an edge that has not heard the workers for this long stops serving from cache until it has caught up' },
  { flag: 'edge-status-port', kind: 'port', description: "Port of the edge's /healthz, /readyz and /metrics (on --edge-host); default: none" },
  { flag: 'fleet-log-max-messages', kind: 'count', default: '1000000', description: 'Changes the fleet log keeps; an edge further behind resyncs in full' },
  { flag: 'operation-lease-ms', kind: 'count', default: '30000', description: 'How long a worker holds an operation it runs without renewing; after a worker dies, another takes its operations over after this' },
  { flag: 'operator-token', kind: 'string', envOnly: true, description: "Bearer token of the operator routes (GET /edges); unset: they answer 404" },
] as const satisfies readonly OptionSpec[];

export type FleetOptionFlag = (typeof FLEET_OPTIONS)[number]['flag'];

/** Which of serve's settings each process of the scaled shape takes (the rest do not concern it). */
export const SCALED_COMMAND_OPTIONS: Record<'api' | 'worker' | 'edge', { serve: readonly ServeOptionFlag[]; fleet: readonly FleetOptionFlag[] }> = {
  api: {
    serve: ['host', 'port', 'database-url', 'tls-cert', 'tls-key', 'public-url', 'log-level', 'log-format', 'signature-skew-minutes', 'allow-twelve-hour-dates', 'replay-cache', 'max-urls-per-request', 'body-limit-bytes', 'quota-file-purges', 'quota-directory-purges', 'quota-preloads', 'cname-suffix', 'master-key', 'subscription-id', 'key-id', 'key-value'],
    fleet: ['nats-url', 'nats-user', 'nats-password', 'nats-token', 'nats-creds', 'nats-tls-ca', 'nats-tls-cert', 'nats-tls-key', 'operator-token'],
  },
  worker: {
    // --edge-origin-deny: webhook URLs obey the same policy as origins.
    serve: ['database-url', 'log-level', 'log-format', 'edge-deadline-ms', 'edge-origin-timeout-ms', 'edge-origin-deny', 'master-key'],
    fleet: ['nats-url', 'nats-user', 'nats-password', 'nats-token', 'nats-creds', 'nats-tls-ca', 'nats-tls-cert', 'nats-tls-key', 'edge-lease-ms', 'fleet-log-max-messages', 'operation-lease-ms'],
  },
  edge: {
    serve: ['edge-host', 'edge-port', 'edge-tls-port', 'data-dir', 'log-level', 'log-format', 'edge-cache-bytes', 'edge-max-object-bytes', 'edge-origin-timeout-ms', 'edge-access-log', 'edge-metrics-endpoints', 'edge-origin-deny', 'edge-fill-bytes', 'edge-origin-min-bytes-per-second', 'edge-negative-ttl-seconds', 'edge-tag-headers', 'meter-flush-ms', 'edge-disk-bytes', 'edge-disk-dir', 'edge-workers'],
    fleet: ['nats-url', 'nats-user', 'nats-password', 'nats-token', 'nats-creds', 'nats-tls-ca', 'nats-tls-cert', 'nats-tls-key', 'edge-id', 'edge-lease-ms', 'edge-status-port'],
  },
};

/**
 * What one of serve's settings means to a scaled process that reads it for another purpose: its
 * help must not describe serve's use (an edge has no database; a worker connects to webhooks,
 * not origins).
 */
export const SCALED_COMMAND_DESCRIPTIONS: Record<'api' | 'worker' | 'edge', Partial<Record<ServeOptionFlag, string>>> = {
  api: {},
  worker: {
    'edge-origin-timeout-ms': 'How long an edge may wait for an origin; a preload waits for the edges this much longer than --edge-deadline-ms',
    'edge-origin-deny': "Addresses webhook URLs may not resolve to: comma-separated CIDR ranges, or 'private' (loopback, RFC 1918, link-local, ULA, CGNAT)",
  },
  edge: {
    'data-dir': "Directory whose edge-cache/ holds the disk tier when --edge-disk-dir is not given (an edge has no database)",
  },
};

export function envName(flag: string): string {
  return `MOONCDN_${flag.toUpperCase().replace(/-/g, '_')}`;
}
