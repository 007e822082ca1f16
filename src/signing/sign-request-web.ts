/**
 * signRequest for browsers (the web console) and any runtime with WebCrypto: the same headers
 * as sign-request.ts, asynchronously, and nothing imported from Node.
 */
import { formatAuthorizationHeader } from './authorization-header.js';
import { REQUEST_DATE_HEADER, requestToSign, type SignedHeaders, type SigningKey } from './request-to-sign.js';
import { signWithWebCrypto } from './web-hmac.js';

/** Signs a request to `url` (absolute, or a path with query) at `date`. */
export async function signRequestWithWebCrypto(method: string, url: string, key: SigningKey, date: Date = new Date()): Promise<SignedHeaders> {
  const { canonical, requestDate } = requestToSign(method, url, date);
  return {
    authorization: formatAuthorizationHeader(key.keyId, await signWithWebCrypto(key.keyValue, canonical)),
    [REQUEST_DATE_HEADER]: requestDate,
  };
}
