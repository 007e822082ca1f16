/** What a client does to sign one request: the two headers for a method, URL and time. */
import { formatAuthorizationHeader } from './authorization-header.js';
import { sign } from './hmac.js';
import { REQUEST_DATE_HEADER, requestToSign, type SignedHeaders, type SigningKey } from './request-to-sign.js';

export { REQUEST_DATE_HEADER, type SignedHeaders, type SigningKey } from './request-to-sign.js';

/** Signs a request to `url` (absolute, or a path with query) at `date`. */
export function signRequest(method: string, url: string, key: SigningKey, date: Date = new Date()): SignedHeaders {
  const { canonical, requestDate } = requestToSign(method, url, date);
  return {
    authorization: formatAuthorizationHeader(key.keyId, sign(key.keyValue, canonical)),
    [REQUEST_DATE_HEADER]: requestDate,
  };
}
