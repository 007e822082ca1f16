/**
 * The typed configuration of `mooncdn serve`, read from flags and environment and checked
 * before anything starts: every bad value is reported at once, with what to change.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { join, resolve } from 'node:path';
import type { QuotaLimits } from '../domain/quota.js';
import { KEY_ID_PATTERN, MIN_KEY_VALUE_LENGTH } from '../domain/api-key.js';
import { isHostname } from '../domain/hostname.js';
import { parseDenyList, type DeniedRange } from '../edge/policy/origin-address.js';
import type { StoreLocation } from '../store/store.js';
import { envName, SERVE_OPTIONS, type OptionSpec, type ServeOptionFlag } from './options.js';

export interface ServeConfig {
  /** Where the API listens. */
  readonly host: string;
  /** Where the edge listens: its own, so the edge can face the internet while the API does not. */
  readonly edgeHost: string;
  readonly port: number;
  readonly edgePort: number;
  readonly edgeTlsPort: number;
  /** Where mooncdn keeps its files: the SQLite store, the development key's credentials file. */
  readonly dataDir: string;
  readonly store: StoreLocation;
  readonly apiTls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** The API's URL as clients reach it, without a trailing "/"; undefined: the URL it listens on. */
  readonly publicUrl: string | undefined;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  readonly signature: { readonly skewMs: number; readonly allowTwelveHourClock: boolean; readonly replayCache: boolean };
  readonly maxUrlsPerRequest: number;
  readonly bodyLimitBytes: number;
  readonly quotas: QuotaLimits;
  readonly edgeDeadlineMs: number;
  readonly cnameSuffix: string;
  /** Edge processes sharing the edge's ports (edge/workers/): 1 is the edge in this process. */
  readonly edgeWorkers: number;
  readonly edge: {
    readonly cacheBytes: number;
    readonly maxObjectBytes: number;
    readonly originTimeoutMs: number;
    /** Bytes cache fills in progress may hold (edge/fill-budget.ts). */
    readonly fillBytes: number;
    /** 0: none. Checked over windows of originTimeoutMs (edge/body-rate.ts). */
    readonly originMinBytesPerSecond: number;
    /** The most a cache rule or a heuristic keeps a negative answer (edge/policy/freshness.ts). */
    readonly negativeTtlSeconds: number;
    readonly meterFlushMs: number;
    readonly accessLog: boolean;
    /** Endpoints with per-endpoint metric series of their own (bounded label cardinality). */
    readonly metricsEndpoints: number;
    /** Origin addresses the edge refuses (the server's own listeners are refused regardless). */
    readonly originDeny: readonly DeniedRange[];
    /** Response headers carrying cache tags, lower case (edge/policy/cache-tags.ts). */
    readonly tagHeaders: readonly string[];
    /** The disk tier (edge/cache/disk-tier.ts): its directory and byte budget; none when undefined. */
    readonly disk?: { readonly dir: string; readonly bytes: number } | undefined;
  };
  readonly masterKey: string | undefined;
  readonly bootstrap: { readonly subscriptionId: string; readonly keyId: string; readonly keyValue: string } | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What cache fills in progress may hold unless --edge-fill-bytes says otherwise (at least the largest object). */
const DEFAULT_FILL_BYTES = 64 * 1024 * 1024;
/** The smallest disk tier worth its files. */
const MIN_DISK_BYTES = 1024 * 1024;
/** A day: a 404 kept longer hides a file put in place after it. */
const MAX_NEGATIVE_TTL_SECONDS = 86_400;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** auto: pretty lines on a terminal, JSON lines otherwise (where logs are collected). */
export type LogFormat = 'auto' | 'json' | 'pretty';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Raw values by flag name: from the command line (commander's camelCase keys) and environment. */
export function rawValues<Flag extends string = ServeOptionFlag>(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  options: readonly OptionSpec[] = SERVE_OPTIONS,
): Map<Flag, string> {
  const values = new Map<Flag, string>();
  for (const option of options) {
    const camel = option.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const fromFlag = option.envOnly ? undefined : flags[camel];
    const value = fromFlag !== undefined ? String(fromFlag) : (env[envName(option.flag)] ?? option.default);
    if (value !== undefined && value !== '') values.set(option.flag as Flag, value);
  }
  return values;
}

/**
 * How a setting is named in a message (its flag and variable, or only the variable), and
 * readers of port and count settings that note each bad value in `problems`.
 */
export function numberReaders<Flag extends string>(raw: Map<Flag, string>, problems: string[], options: readonly OptionSpec[]) {
  const where = (flag: string) => {
    const spec = options.find((o) => o.flag === flag);
    return spec?.envOnly ? envName(flag) : `--${flag} (${envName(flag)})`;
  };
  const port = (flag: Flag): number => {
    const text = raw.get(flag) ?? '';
    const value = Number(text);
    if (!/^\d+$/.test(text) || value > 65535) problems.push(`${where(flag)} "${text}" is not a port number from 0 to 65535.`);
    return value;
  };
  const count = (flag: Flag, min = 0): number => {
    const text = raw.get(flag) ?? '';
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) problems.push(`${where(flag)} "${text}" must be a whole number of at least ${min}.`);
    return value;
  };
  return { where, port, count };
}

export function loadServeConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): ServeConfig {
  const raw = rawValues(flags, env);
  const problems: string[] = [];
  const { where, port, count } = numberReaders(raw, problems, SERVE_OPTIONS);
  const bool = (flag: ServeOptionFlag): boolean => {
    const text = (raw.get(flag) ?? '').toLowerCase();
    if (!['true', 'false', '1', '0', 'yes', 'no'].includes(text)) problems.push(`${where(flag)} "${text}" must be true or false.`);
    return ['true', '1', 'yes'].includes(text);
  };
  const file = (flag: ServeOptionFlag): Buffer | undefined => {
    const path = raw.get(flag);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(`${where(flag)}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
      return undefined;
    }
  };

  const host = raw.get('host') ?? '127.0.0.1';
  const maxObjectBytes = count('edge-max-object-bytes', 1);
  const edgeWorkers = count('edge-workers', 1);
  const config = {
    host,
    edgeHost: raw.get('edge-host') ?? host,
    port: port('port'),
    edgePort: port('edge-port'),
    edgeTlsPort: port('edge-tls-port'),
    dataDir: dataDir(raw),
    store: storeLocation(raw, problems, where),
    apiTls: apiTls(file('tls-cert'), file('tls-key'), raw, problems, where),
    publicUrl: publicUrl(raw.get('public-url'), problems, where),
    logLevel: raw.get('log-level') ?? 'info',
    logFormat: (raw.get('log-format') ?? 'auto') as LogFormat,
    signature: {
      skewMs: count('signature-skew-minutes', 1) * 60_000,
      allowTwelveHourClock: bool('allow-twelve-hour-dates'),
      replayCache: bool('replay-cache'),
    },
    maxUrlsPerRequest: count('max-urls-per-request', 1),
    bodyLimitBytes: count('body-limit-bytes', 1024),
    quotas: {
      filePurges: count('quota-file-purges'),
      directoryPurges: count('quota-directory-purges'),
      preloads: count('quota-preloads'),
    },
    edgeDeadlineMs: count('edge-deadline-ms', 100),
    cnameSuffix: cnameSuffix(raw.get('cname-suffix') ?? '', problems, where),
    edgeWorkers,
    edge: {
      cacheBytes: count('edge-cache-bytes', 1024 * 1024),
      maxObjectBytes,
      originTimeoutMs: count('edge-origin-timeout-ms', 100),
      // Each worker gets 1/N of it, and a fill holds a whole object: by default enough for that.
      fillBytes: raw.has('edge-fill-bytes') ? count('edge-fill-bytes', 1) : Math.max(DEFAULT_FILL_BYTES, maxObjectBytes * (edgeWorkers || 1)),
      originMinBytesPerSecond: count('edge-origin-min-bytes-per-second'),
      negativeTtlSeconds: count('edge-negative-ttl-seconds'),
      meterFlushMs: count('meter-flush-ms', 10),
      accessLog: bool('edge-access-log'),
      metricsEndpoints: count('edge-metrics-endpoints'),
      originDeny: originDeny(raw.get('edge-origin-deny'), problems, where),
      tagHeaders: tagHeaders(raw.get('edge-tag-headers') ?? 'Cache-Tag', problems, where),
      disk: edgeDisk(raw, count('edge-disk-bytes'), problems, where),
    },
    masterKey: raw.get('master-key'),
    bootstrap: bootstrap(raw, problems),
  } satisfies ServeConfig;
  if (config.edge.maxObjectBytes > config.edge.cacheBytes) {
    problems.push(`${where('edge-max-object-bytes')} (${config.edge.maxObjectBytes}) must not be larger than ${where('edge-cache-bytes')} (${config.edge.cacheBytes}).`);
  }
  problems.push(...workerShareProblems(config, where));
  if (config.edge.fillBytes < config.edge.maxObjectBytes) {
    problems.push(
      `${where('edge-fill-bytes')} (${config.edge.fillBytes}) must be at least ${where('edge-max-object-bytes')} (${config.edge.maxObjectBytes}): a fill holds a whole object on its way into the cache.`,
    );
  }
  if (config.edge.negativeTtlSeconds > MAX_NEGATIVE_TTL_SECONDS) {
    problems.push(
      `${where('edge-negative-ttl-seconds')} (${config.edge.negativeTtlSeconds}) must be at most ${MAX_NEGATIVE_TTL_SECONDS}: negative answers are kept briefly; give a longer life with the origin's Cache-Control.`,
    );
  }
  if (!LOG_LEVELS.includes(config.logLevel)) problems.push(`${where('log-level')} "${config.logLevel}" must be one of ${LOG_LEVELS.join(', ')}.`);
  if (!LOG_FORMATS.includes(config.logFormat)) problems.push(`${where('log-format')} "${config.logFormat}" must be one of ${LOG_FORMATS.join(', ')}.`);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The most edge workers: more than the cores of any machine here buys nothing but budgets cut thin. */
export const MAX_EDGE_WORKERS = 256;

/** Each of N edge workers gets 1/N of each budget (edge/workers/): each share must still be usable. */
function workerShareProblems(config: Pick<ServeConfig, 'edgeWorkers' | 'edge'>, where: (flag: string) => string): string[] {
  const n = config.edgeWorkers;
  if (n > MAX_EDGE_WORKERS) return [`${where('edge-workers')} (${n}) must be at most ${MAX_EDGE_WORKERS}.`];
  if (n <= 1) return [];
  const { cacheBytes, fillBytes, maxObjectBytes, disk } = config.edge;
  const problems: string[] = [];
  if (Math.floor(cacheBytes / n) < maxObjectBytes) {
    problems.push(
      `${where('edge-cache-bytes')} (${cacheBytes}) is shared by ${n} edge workers: each share must hold the largest object (${where('edge-max-object-bytes')}, ${maxObjectBytes}); raise the one or lower the other.`,
    );
  }
  if (Math.floor(fillBytes / n) < maxObjectBytes) {
    problems.push(`${where('edge-fill-bytes')} (${fillBytes}) is shared by ${n} edge workers: each share must be at least ${where('edge-max-object-bytes')} (${maxObjectBytes}).`);
  }
  if (disk && Math.floor(disk.bytes / n) < MIN_DISK_BYTES) {
    problems.push(`${where('edge-disk-bytes')} (${disk.bytes}) is shared by ${n} edge workers: each share must be at least ${MIN_DISK_BYTES} (1 MiB).`);
  }
  return problems;
}

/** The store the server and the admin commands use: PostgreSQL if a URL is given, else SQLite in the data dir. */
export function storeLocation(raw: Map<ServeOptionFlag, string>, problems: string[], where: (flag: string) => string): StoreLocation {
  const url = raw.get('database-url');
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(url)) problems.push(`${where('database-url')} must start with postgres:// or postgresql://.`);
    return { kind: 'postgres', connectionString: url };
  }
  return { kind: 'sqlite', file: join(dataDir(raw), 'mooncdn.db') };
}

/** The disk tier when --edge-disk-bytes is above 0, in --edge-disk-dir or <data-dir>/edge-cache. */
function edgeDisk(raw: Map<ServeOptionFlag, string>, bytes: number, problems: string[], where: (flag: string) => string): ServeConfig['edge']['disk'] {
  const dir = raw.get('edge-disk-dir');
  if (!(bytes > 0)) {
    if (dir !== undefined) problems.push(`${where('edge-disk-dir')} is set but ${where('edge-disk-bytes')} is 0: give the disk tier a byte budget, or leave out the directory.`);
    return undefined;
  }
  if (bytes < MIN_DISK_BYTES) problems.push(`${where('edge-disk-bytes')} (${bytes}) must be 0 (no disk tier) or at least ${MIN_DISK_BYTES} (1 MiB).`);
  return { dir: resolve(dir ?? join(dataDir(raw), 'edge-cache')), bytes };
}

/** Empty by default, so that origins on 127.0.0.1 work in development. */
function originDeny(value: string | undefined, problems: string[], where: (flag: string) => string): readonly DeniedRange[] {
  if (value === undefined) return [];
  const parsed = parseDenyList(value);
  if ('problem' in parsed) {
    problems.push(`${where('edge-origin-deny')}: ${parsed.problem}`);
    return [];
  }
  return parsed.ranges;
}

/** RFC 9110 §5.1: a field name is a token. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function tagHeaders(value: string, problems: string[], where: (flag: string) => string): readonly string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const bad = names.find((name) => !FIELD_NAME.test(name));
  if (names.length === 0 || bad !== undefined) {
    problems.push(`${where('edge-tag-headers')} "${value}" must be header names separated by commas, such as Cache-Tag,Surrogate-Key${bad === undefined ? '' : ` ("${bad}" is not a header name)`}.`);
  }
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

function dataDir(raw: Map<ServeOptionFlag, string>): string {
  return resolve(raw.get('data-dir') ?? './.mooncdn');
}

function cnameSuffix(value: string, problems: string[], where: (flag: string) => string): string {
  const suffix = value.toLowerCase().replace(/^\.|\.$/g, '');
  if (!isHostname(suffix)) problems.push(`${where('cname-suffix')} "${value}" must be a domain name such as cdn.example.net.`);
  return suffix;
}

/** An absolute http(s) URL, normalised (WHATWG) and without its trailing "/": Operation-Location is built on it. */
function publicUrl(value: string | undefined, problems: string[], where: (flag: string) => string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.hostname === '' || url.username || url.password || url.search || url.hash || /[?#]/.test(value)) {
    problems.push(`${where('public-url')} "${value}" must be an absolute http:// or https:// URL without user, query or fragment, such as https://cdn-api.example.com.`);
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

function apiTls(
  cert: Buffer | undefined,
  key: Buffer | undefined,
  raw: Map<ServeOptionFlag, string>,
  problems: string[],
  where: (flag: ServeOptionFlag) => string,
): ServeConfig['apiTls'] {
  const certGiven = raw.has('tls-cert');
  const keyGiven = raw.has('tls-key');
  if (certGiven !== keyGiven) {
    problems.push('--tls-cert and --tls-key go together: give both to serve the API over HTTPS, or neither.');
    return undefined;
  }
  if (!cert || !key) return undefined;
  // Checked here, as TLS will read them, so that a wrong file is named with its flag (exit 2)
  // instead of surfacing as an OpenSSL stack trace once the server is being built.
  const unusable = (what: Parameters<typeof createSecureContext>[0]): string | undefined => {
    try {
      createSecureContext(what);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const certProblem = unusable({ cert });
  const keyProblem = unusable({ key });
  if (certProblem) problems.push(`${where('tls-cert')}: "${raw.get('tls-cert')}" is not a PEM certificate (${certProblem}).`);
  if (keyProblem) problems.push(`${where('tls-key')}: "${raw.get('tls-key')}" is not a PEM private key (${keyProblem}).`);
  if (certProblem || keyProblem) return undefined;
  // TLS takes a key of another certificate without a word and fails every handshake later.
  let paired: boolean;
  try {
    paired = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    paired = false;
  }
  if (!paired) {
    problems.push(`${where('tls-key')} is not the private key of the certificate in ${where('tls-cert')}: give the key the certificate was made for.`);
    return undefined;
  }
  return { cert, key };
}

function bootstrap(raw: Map<ServeOptionFlag, string>, problems: string[]): ServeConfig['bootstrap'] {
  const subscriptionId = raw.get('subscription-id');
  const keyId = raw.get('key-id');
  const keyValue = raw.get('key-value');
  const given = [subscriptionId, keyId, keyValue].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    problems.push('MOONCDN_SUBSCRIPTION_ID, MOONCDN_KEY_ID and MOONCDN_KEY_VALUE go together: set all three, or none to get a development key.');
    return undefined;
  }
  if (!UUID.test(subscriptionId!)) problems.push(`MOONCDN_SUBSCRIPTION_ID "${subscriptionId}" must be a UUID.`);
  if (!KEY_ID_PATTERN.test(keyId!)) problems.push('MOONCDN_KEY_ID must be 1 to 128 letters, digits, dots, hyphens or underscores.');
  if (keyValue!.length < MIN_KEY_VALUE_LENGTH) problems.push(`MOONCDN_KEY_VALUE must be at least ${MIN_KEY_VALUE_LENGTH} characters (use e.g. "openssl rand -base64 32").`);
  return { subscriptionId: subscriptionId!.toLowerCase(), keyId: keyId!.toLowerCase(), keyValue: keyValue! };
}
