/**
 * Idempotency keys (extension; draft-ietf-httpapi-idempotency-key-header, as CloudFront's
 * CallerReference): a POST, PUT or DELETE sent with `Idempotency-Key` is answered once; the same
 * key with the same request (method, target and body, in the same subscription) gets that first
 * answer again for a day, with the same operation id. Pure rules; the store keeps the keys.
 */
import { createHash } from 'node:crypto';
import { Errors } from '../contract/errors.js';
import { IDEMPOTENCY_KEY_RULE, isIdempotencyKey } from '../contract/idempotency-key.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** How long an answer is kept and given again. */
export const KEY_LIFETIME_MS = 24 * 60 * 60_000;

/** How long a request holds its key before answering; a process that dies meanwhile frees it when this lapses. */
export const CLAIM_MS = 60_000;

/**
 * The key from the header: a Structured Field string as the draft writes it ("8e03978e-..."),
 * or the same text without the quotes, as most clients send it.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw Errors.parameterInvalid('Send one Idempotency-Key header, not several.');
  const trimmed = header.trim();
  const key = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  if (!isIdempotencyKey(key)) throw Errors.parameterInvalid(`The Idempotency-Key header must be ${IDEMPOTENCY_KEY_RULE}, optionally in double quotes.`);
  return key;
}

/** What makes two requests "the same": method, target (path and query) and body. */
export function requestFingerprint(method: string, target: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${target}\n`)
    .update(body === undefined ? '' : JSON.stringify(body))
    .digest('hex');
}

/** An answer as it is given again: status, the headers that matter, and the body text. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'answered'; readonly answer: StoredAnswer }
  | { readonly kind: 'inFlight' }
  | { readonly kind: 'otherRequest' };

/** Response headers kept with an answer (the rest, such as the correlation id, are the retry's own). */
export const REPLAYED_HEADERS = ['content-type', 'operation-location', 'location'] as const;

/**
 * Which answers are kept: successes. An error changed nothing (the request was refused or
 * failed), so a retry with the key runs again rather than being refused for a day.
 */
export function isKeptAnswer(status: number): boolean {
  return status >= 200 && status < 300;
}
