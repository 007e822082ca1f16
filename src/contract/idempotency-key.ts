/**
 * What an Idempotency-Key (extension) may be, in one place: the server checks the header by it
 * (domain/idempotency.ts) and the client checks a caller's key before sending it, so a key the
 * header cannot carry (a line break) is refused as the server would, not as a broken connection.
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Printable ASCII without spaces, quotes or backslashes. */
const KEY = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;

export function isIdempotencyKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && KEY.test(key);
}

export const IDEMPOTENCY_KEY_RULE = `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without quotes, backslashes or spaces (a UUID is a good key)`;
