/** What a client does to sign one request: the two headers for a method, URL and time. */
import { formatAuthorizationHeader } from './authorization-header.js';
import { canonicalString } from './canonical-string.js';
import { sign } from './hmac.js';
import { formatRequestDate } from './request-date.js';

export const REQUEST_DATE_HEADER = 'x-azurecdn-request-date';

export interface SigningKey {
  readonly keyId: string;
  readonly keyValue: string;
}

export interface SignedHeaders {
  readonly authorization: string;
  readonly 'x-azurecdn-request-date': string;
}

/** Signs a request to `url` (absolute, or a path with query) at `date`. */
export function signRequest(method: string, url: string, key: SigningKey, date: Date = new Date()): SignedHeaders {
  const parsed = new URL(url, 'http://placeholder');
  const requestDate = formatRequestDate(date);
  const canonical = canonicalString({
    method,
    path: parsed.pathname,
    query: parsed.search.slice(1),
    requestDate,
  });
  return {
    authorization: formatAuthorizationHeader(key.keyId, sign(key.keyValue, canonical)),
    [REQUEST_DATE_HEADER]: requestDate,
  };
}
