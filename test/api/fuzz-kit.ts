/**
 * Request generation for the API fuzz test (fuzz.test.ts): a seeded PRNG, the routes with a
 * valid request each, and the mutations applied to them (method, path segments, query,
 * headers, JSON bodies). For one seed the requests are the same but for the ids the server
 * gave out, which fill the pools of ids that requests pick from.
 */
import { FormatRegistry, Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AccessControl } from '../../src/contract/schemas/access-control.js';
import { AsyncResponse, ErrorResponse } from '../../src/contract/schemas/api-response.js';
import { CachePolicy } from '../../src/contract/schemas/cache-policy.js';
import { Certificate } from '../../src/contract/schemas/certificate.js';
import { Endpoint, EndpointList } from '../../src/contract/schemas/endpoint.js';
import { Operation } from '../../src/contract/schemas/operation.js';
import { PreloadResult, PurgeResult } from '../../src/contract/schemas/purge-preload.js';
import { EndpointBandwidth, EndpointVolume, SubscriptionVolume } from '../../src/contract/schemas/traffic.js';
import { canonicalString, formatAuthorizationHeader, formatRequestDate, sign, type SigningKey } from '../../src/signing/index.js';

// ---- randomness ----------------------------------------------------------------------------

/** Mulberry32: small, fast and seeded; one seed always gives the same sequence. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Random = ReturnType<typeof prng>;

// ---- the routes ----------------------------------------------------------------------------

/** Ids the fuzz has seen, to put in paths and bodies. */
export interface Ids {
  readonly subscriptionId: string;
  readonly endpointId: string;
  /** Endpoints the fuzz may delete (the main one stays, so most requests reach their handlers). */
  readonly spareEndpointIds: string[];
  readonly operationIds: string[];
  readonly certificateIds: string[];
}

export const DOMAIN = 'cdn.example.com';
const RANGE = { startTime: '2026-11-21T00:00:00Z', endTime: '2026-11-22T00:00:00Z' };

interface Route {
  readonly method: string;
  /** The path after /subscriptions/{id}, as a pattern (* is one segment), for the success shape. */
  readonly at: string;
  /** Path segments after /subscriptions/{id}. */
  readonly path: (ids: Ids, random: Random) => string[];
  readonly query?: Record<string, string>;
  readonly body?: (random: Random, ids: Ids) => unknown;
  readonly success: TSchema;
}

const E = (ids: Ids) => ids.endpointId;
/** A UUID from the PRNG (version 4 in form, so it passes the schema and is simply unknown). */
const uuid = (random: Random) => 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => random.int(16).toString(16));
const some = (random: Random, pool: readonly string[]) => (pool.length > 0 && random.chance(0.8) ? random.pick(pool) : uuid(random));
const url = (random: Random, path = '/a.png') => `http${random.chance(0.5) ? 's' : ''}://${DOMAIN}${path}`;

const ROUTES: readonly Route[] = [
  { method: 'GET', at: 'endpoints', path: () => ['endpoints'], success: EndpointList },
  {
    method: 'POST',
    at: 'endpoints',
    path: () => ['endpoints'],
    body: (r) => ({ CustomDomain: `fz-${r.int(1e9)}.example.com`, Origin: { Addresses: ['origin.example.com', '10.0.0.1:8080'] }, Host: 'h.example.com', ICP: 'ICP 1', ServiceType: 'Web' }),
    success: Endpoint,
  },
  { method: 'GET', at: 'endpoints/*', path: (ids) => ['endpoints', E(ids)], success: Endpoint },
  { method: 'PUT', at: 'endpoints/*', path: (ids) => ['endpoints', E(ids)], body: () => ({ EndpointSettings: { Origin: { Addresses: ['o2.example.com'] } }, UpdateFlag: 'Origin' }), success: AsyncResponse },
  { method: 'DELETE', at: 'endpoints/*', path: (ids, r) => ['endpoints', some(r, ids.spareEndpointIds)], success: AsyncResponse },
  { method: 'POST', at: 'endpoints/*/(enable|disable)', path: (ids, r) => ['endpoints', E(ids), r.pick(['enable', 'disable'])], success: AsyncResponse },
  { method: 'GET', at: 'endpoints/*/cacherules', path: (ids) => ['endpoints', E(ids), 'cacherules'], success: CachePolicy },
  {
    method: 'PUT',
    at: 'endpoints/*/cacherules',
    path: (ids) => ['endpoints', E(ids), 'cacherules'],
    body: () => ({ Rules: [{ Type: 'Dir', Items: ['/img/'], TTL: 60 }, { Type: 'Suffix', Items: ['.js'], TTL: '30' }, { Type: 'FullUri', Items: ['/i.html'], TTL: 0 }], IgnoreCacheControl: false, IgnoreQueryString: 'true', IgnoreCookie: true }),
    success: AsyncResponse,
  },
  { method: 'GET', at: 'endpoints/*/accesscontrol', path: (ids) => ['endpoints', E(ids), 'accesscontrol'], success: AccessControl },
  {
    method: 'PUT',
    at: 'endpoints/*/accesscontrol',
    path: (ids) => ['endpoints', E(ids), 'accesscontrol'],
    body: () => ({ ForbiddenIps: ['10.0.0.1', '2001:db8::/32'], RefererControl: { Enabled: true, RefererControlType: 'AllowList', PathPatterns: ['/img/*'], Referers: ['*.example.com', 'https://a.example.com/*'] } }),
    success: AsyncResponse,
  },
  { method: 'POST', at: 'endpoints/*/purges', path: (ids) => ['endpoints', E(ids), 'purges'], body: (r) => ({ Files: [url(r), url(r, '/b.js?v=1')], Directories: [url(r, '/img/')] }), success: AsyncResponse },
  { method: 'GET', at: 'endpoints/*/purges/*', path: (ids, r) => ['endpoints', E(ids), 'purges', some(r, ids.operationIds)], success: PurgeResult },
  { method: 'POST', at: 'endpoints/*/preloads', path: (ids) => ['endpoints', E(ids), 'preloads'], body: (r) => ({ Files: [url(r), url(r, '/c.css')] }), success: AsyncResponse },
  { method: 'GET', at: 'endpoints/*/preloads/*', path: (ids, r) => ['endpoints', E(ids), 'preloads', some(r, ids.operationIds)], success: PreloadResult },
  { method: 'GET', at: 'endpoints/*/operations/*', path: (ids, r) => ['endpoints', E(ids), 'operations', some(r, ids.operationIds)], success: Operation },
  { method: 'GET', at: 'endpoints/*/volume', path: (ids) => ['endpoints', E(ids), 'volume'], query: { granularity: 'PerHour', ...RANGE }, success: EndpointVolume },
  { method: 'GET', at: 'volume', path: () => ['volume'], query: { granularity: 'PerFiveMinutes', ...RANGE }, success: SubscriptionVolume },
  { method: 'GET', at: 'endpoints/*/bandwidth', path: (ids) => ['endpoints', E(ids), 'bandwidth'], query: RANGE, success: EndpointBandwidth },
  { method: 'POST', at: 'https/certificates', path: () => ['https', 'certificates'], body: () => ({ Name: 'fuzz', PublicCertificate: CERTIFICATE.cert, PrivateKey: CERTIFICATE.key, Format: 'Pem' }), success: Certificate },
  { method: 'GET', at: 'https/certificates', path: () => ['https', 'certificates'], success: Type.Array(Certificate) },
  { method: 'GET', at: 'https/certificates/*', path: (ids, r) => ['https', 'certificates', some(r, ids.certificateIds)], success: Certificate },
  { method: 'POST', at: 'https/bindings', path: () => ['https', 'bindings'], body: (r, ids) => ({ CertificateId: some(r, ids.certificateIds), EndpointId: r.chance(0.8) ? ids.endpointId : uuid(r) }), success: AsyncResponse },
];

/** The certificate uploads send (set by the test, read from test/fixtures/certs). */
export const CERTIFICATE = { cert: '', key: '' };

/** The routes as patterns, to find which success shape a 2xx answer must have. */
const SHAPES = ROUTES.map((route) => ({
  method: route.method,
  pattern: new RegExp(`^/subscriptions/[^/]+/${route.at.replace(/\*/g, '[^/]+')}/?$`, 'i'),
  success: route.success,
}));

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value));

/** Undefined when `body` is the contract's answer for this status, method and path; else what is wrong. */
export function shapeProblem(status: number, method: string, path: string, body: unknown): string | undefined {
  if (status >= 400) {
    const exact = body !== null && typeof body === 'object' && Object.keys(body).join() === 'Succeeded,ErrorInfo' && Object.keys((body as { ErrorInfo: object }).ErrorInfo).join() === 'Type,Message';
    return exact && Value.Check(ErrorResponse, body) && (body as { ErrorInfo: { Message: string } }).ErrorInfo.Message !== '' ? undefined : 'not the error shape';
  }
  const shape = SHAPES.find((s) => s.method === method && s.pattern.test(path));
  if (!shape) return `a ${status} from no known route`;
  return Value.Check(shape.success, body) ? undefined : `not the success shape (${[...Value.Errors(shape.success, body)].slice(0, 2).map((e) => `${e.path}: ${e.message}`).join('; ')})`;
}

// ---- hostile values ------------------------------------------------------------------------

const SEGMENTS = ['', '.', '..', '%2e%2e', '..;', '%00', '%ff', '%', '%zz', '%C3%A9', 'é', ' ', '%20', ';', '*', 'null', 'undefined', '%2F', 'x'.repeat(150), '00000000-0000-0000-0000-000000000000'];

function hostileString(random: Random): string {
  return random.pick([
    () => '',
    () => ' ',
    () => '60',
    () => 'true',
    () => 'x'.repeat(random.int(200_000)),
    () => '\ud800',
    () => `a\udc00b${'\ud83d'}`,
    () => '\u0000',
    () => 'line\r\nX-Injected: 1',
    () => '\u202e\ufeff',
    () => '💥'.repeat(random.int(1000)),
    () => `http://${DOMAIN}/\ud800.png`,
    () => `http://${DOMAIN}/${'%25'.repeat(random.int(400))}2e%2e/a`,
    () => `http://${DOMAIN}/a/..;/b`,
    () => `http://${DOMAIN}/%ED%A0%80`,
    () => '/img/\udfff/',
    () => '1e400',
  ])();
}

function nested(depth: number, asObject: boolean): unknown {
  let value: unknown = asObject ? {} : [];
  for (let i = 0; i < depth; i++) value = asObject ? { Rules: value } : [value];
  return value;
}

function hostileValue(random: Random): unknown {
  return random.pick([
    () => null,
    () => random.pick([true, false]),
    () => random.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1]),
    () => hostileString(random),
    () => ({}),
    () => [],
    () => nested(random.int(3000), random.chance(0.5)),
    () => Array.from({ length: random.int(2000) }, () => 'x'),
    () => [hostileString(random)],
    () => ({ [hostileString(random)]: hostileString(random) }),
  ])();
}

/** One mutation at a random place in a JSON value (which it may replace entirely). */
function mutateJson(value: unknown, random: Random): unknown {
  if (value === null || typeof value !== 'object' || random.chance(0.15)) return hostileValue(random);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length === 0 || random.chance(0.2)) copy.push(hostileValue(random));
    else {
      const i = random.int(copy.length);
      copy[i] = mutateJson(copy[i], random);
    }
    return copy;
  }
  const entries = Object.entries(value);
  const i = random.int(entries.length + 1);
  const action = random.int(5);
  if (i === entries.length || action === 0) entries.push([random.pick(['Unknown', '__proto__', 'constructor', hostileString(random).slice(0, 50)]), hostileValue(random)]);
  else if (action === 1) entries.splice(i, 1);
  else if (action === 2) entries[i] = [random.pick([entries[i]![0].toLowerCase(), entries[i]![0].toUpperCase()]), entries[i]![1]];
  else if (action === 3) entries.push([entries[i]![0].toLowerCase(), entries[i]![1]]);
  else entries[i] = [entries[i]![0], mutateJson(entries[i]![1], random)];
  // fromEntries defines own properties: "__proto__" stays a key, as in a JSON text.
  return Object.fromEntries(entries);
}

const RAW_BODIES = ['', '{', '[]', '"text"', '123', 'null', '\ufeff{}', '{"Rules":', 'not json', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\u0000', '['.repeat(20_000), `${'['.repeat(5000)}${']'.repeat(5000)}`, '{"a":1,"a":2}'];
const CONTENT_TYPES = ['', ';', 'application/json, text/plain', '}{', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'];
// No DELETE: on the main endpoint's path it would delete it, and most later requests would meet a 404.
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS'];

/** Only what an HTTP/1.1 parser lets through in a header value. */
const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

// ---- one request ---------------------------------------------------------------------------

export interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string;
}

export function fuzzRequest(random: Random, ids: Ids, key: SigningKey, now: number): FuzzRequest {
  const route = random.pick(ROUTES);
  const method = random.chance(0.08) ? random.pick(METHODS) : route.method;

  const segments = ['subscriptions', ids.subscriptionId, ...route.path(ids, random)];
  if (random.chance(0.15)) segments[random.int(segments.length)] = random.pick([random.pick(SEGMENTS), uuid(random).toUpperCase()]);
  if (random.chance(0.05)) segments.splice(random.int(segments.length), random.chance(0.5) ? 1 : 0, random.pick(SEGMENTS));
  const path = `/${segments.join('/')}${random.chance(0.05) ? '/' : ''}`;

  const query: Array<[string, string]> = [['apiVersion', '1.0'], ...Object.entries(route.query ?? {})];
  if (random.chance(0.15)) {
    const i = random.int(query.length);
    random.pick([
      () => query.splice(i, 1),
      () => query.push([query[i]![0], random.pick(['1.0', '2.0'])]),
      () => (query[i] = [query[i]![0].toUpperCase(), query[i]![1]]),
      () => (query[i] = [query[i]![0], random.pick(['', '2.0', 'PerDay', '2026-13-01T00:00:00Z', '%zz', 'x'.repeat(500), '2026-11-22T00:00:00Z'])]),
      () => query.push([random.pick(['a', '', '%zz', '__proto__']), random.pick(['', 'b', '%ED%A0%80'])]),
    ])();
  }
  const target = `${path}?${query.map(([n, v]) => `${encodeURIComponent(n)}=${/%/.test(v) ? v : encodeURIComponent(v)}`).join('&')}`;

  let payload: string | undefined;
  if (route.body || random.chance(0.05)) {
    if (random.chance(0.1)) payload = random.pick(RAW_BODIES);
    else {
      let body = route.body ? route.body(random, ids) : {};
      for (let n = random.int(4); n > 0; n--) body = mutateJson(body, random);
      payload = JSON.stringify(body);
    }
  }

  // The path and query inject() sends (it parses the URL the WHATWG way), signed as sent.
  const sent = new URL(target, 'http://localhost');
  const requestDate = formatRequestDate(new Date(now));
  const signature = sign(key.keyValue, canonicalString({ method, path: sent.pathname, query: sent.search.slice(1), requestDate }));
  const headers: Record<string, string> = { authorization: formatAuthorizationHeader(key.keyId, signature), 'x-azurecdn-request-date': requestDate };
  if (random.chance(0.5)) {
    random.pick([
      () => delete headers.authorization,
      () => (headers.authorization = random.pick(['', 'AzureCDN', 'Bearer x', `AzureCDN ${key.keyId}:${'0'.repeat(64)}`, `AzureCDN ${key.keyId}:${signature.toLowerCase()}`, `AzureCDN é${'x'.repeat(random.int(300))}:${signature}`, `AzureCDN ${key.keyId}:${signature} extra`])),
      () => delete headers['x-azurecdn-request-date'],
      () => (headers['x-azurecdn-request-date'] = random.pick(['', 'yesterday', '2026-02-30 00:00:00', '1970-01-01 00:00:00', formatRequestDate(new Date(now + 12 * 3_600_000)), new Date(now).toISOString(), '9'.repeat(300)])),
    ])();
  }
  if (payload !== undefined && random.chance(0.6)) headers['content-type'] = 'application/json';
  else if (random.chance(0.3)) headers['content-type'] = random.pick(CONTENT_TYPES);
  if (payload !== undefined && random.chance(0.03)) headers['content-length'] = String(Math.max(0, Buffer.byteLength(payload) + random.pick([-1, 1, 100])));
  if (random.chance(0.05)) headers[random.pick(['host', 'x-forwarded-host', 'x-correlation-id', 'accept', 'referer'])] = hostileString(random).slice(0, 500);
  for (const name of Object.keys(headers)) headers[name] = headerSafe(headers[name]!);

  return { method, url: target, headers, ...(payload !== undefined ? { payload } : {}) };
}
