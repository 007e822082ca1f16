/** Header handling between client, edge and origin (RFC 9110 §7.6.1 hop-by-hop fields). */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderMap } from './cache/cache-store.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export const VIA = '1.1 mooncdn';

/** The origin's response headers without hop-by-hop fields (and those Connection names). */
export function endToEndHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const named = String(headers['connection'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const result: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.includes(lower)) continue;
    result[lower] = value;
  }
  return result;
}

export function withoutHeaders(headers: HeaderMap, names: readonly string[]): HeaderMap {
  const result: HeaderMap = { ...headers };
  for (const name of names) delete result[name];
  return result;
}

/**
 * Headers for an origin request. A cache fill sends the request as the client sent it, Cookie
 * included (policy/cookies.ts decides what of the answer may be stored), less what would make
 * the answer fit this client only: no ranges, conditionals or encodings (the cached copy serves
 * everyone, whole). Requests with credentials never fill (they pass). A pass-through request
 * sends everything end to end.
 */
export function originRequestHeaders(client: IncomingHttpHeaders, clientIp: string, forCache: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  const skip = forCache
    ? new Set(['host', 'authorization', 'range', 'if-range', 'if-none-match', 'if-modified-since', 'accept-encoding', 'content-length'])
    : new Set(['host']);
  const named = String(client['connection'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || skip.has(name) || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // The cached copy is the identity encoding, so every client can be served from it.
  if (forCache) result['accept-encoding'] = 'identity';
  const forwarded = client['x-forwarded-for'];
  result['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${clientIp}` : clientIp;
  result['via'] = client['via'] ? `${String(client['via'])}, ${VIA}` : VIA;
  return result;
}
