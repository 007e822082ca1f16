/**
 * What a request signature covers, for a method, URL and time: the canonical string and the
 * request-date header. Shared by the Node signer (sign-request.ts, node:crypto) and the
 * WebCrypto signer (sign-request-web.ts, browsers and Node); imports nothing from Node.
 */
import { canonicalString } from './canonical-string.js';
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

export interface RequestToSign {
  readonly canonical: string;
  readonly requestDate: string;
}

/** `url` is absolute, or a path with query. */
export function requestToSign(method: string, url: string, date: Date): RequestToSign {
  const parsed = new URL(url, 'http://placeholder');
  const requestDate = formatRequestDate(date);
  return { canonical: canonicalString({ method, path: parsed.pathname, query: parsed.search.slice(1), requestDate }), requestDate };
}
