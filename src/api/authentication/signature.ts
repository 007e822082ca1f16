/**
 * The signature checks of CONTRACT §2, in the contract's order; the first failure is the
 * answer. Neither the expected signature nor the key value is ever logged or returned.
 */
import type { KeyObject } from 'node:crypto';
import { Errors } from '../../contract/errors.js';
import { keyProblem, normalizeKeyId, type ApiKey } from '../../domain/api-key.js';
import { splitTarget } from '../../domain/url-path.js';
import { parseAuthorizationHeader } from '../../signing/authorization-header.js';
import { candidates } from '../../signing/candidate-strings.js';
import { hmacKey, matchesAnyCandidate } from '../../signing/hmac.js';
import { isWithinSkew, lastAcceptedAt, parseRequestDate } from '../../signing/request-date.js';

export interface SignatureSettings {
  /** How far the request date may be from the server's clock. */
  readonly skewMs: number;
  /** Accept the Java sample's 12-hour-clock dates (CONTRACT §2). */
  readonly allowTwelveHourClock: boolean;
  /** Refuse a second use of the signature of a POST, PUT or DELETE (replay-cache.ts). */
  readonly replayCache: boolean;
}

export interface VerifiedSignature {
  readonly key: ApiKey;
  /** The signature as sent: 64 hex digits, either case. */
  readonly signature: string;
  /** The last instant the signed date passes the skew check: how long a replay is possible. */
  readonly validUntil: number;
}

export interface SignedRequest {
  readonly method: string;
  /** The request target as sent: path and query, percent-encoded. */
  readonly target: string;
  readonly authorization: string | undefined;
  readonly requestDate: string | undefined;
}

export async function checkSignature(
  request: SignedRequest,
  findKey: (keyId: string) => Promise<ApiKey | undefined>,
  now: number,
  settings: SignatureSettings,
): Promise<VerifiedSignature> {
  if (request.authorization === undefined || request.authorization === '') throw Errors.missingAuthorizationHeader();
  const credentials = parseAuthorizationHeader(request.authorization);
  if (!credentials) throw Errors.invalidAuthorizationHeader();

  const requestDate = request.requestDate;
  if (requestDate === undefined || requestDate === '') throw Errors.missingRequestDateHeader();
  const date = parseRequestDate(requestDate);
  if (!date) throw Errors.invalidRequestDateHeader(requestDate);
  if (!isWithinSkew(date, now, settings.skewMs, settings.allowTwelveHourClock)) {
    throw Errors.authorizationHeaderExpired(settings.skewMs);
  }

  const key = await findKey(normalizeKeyId(credentials.keyId));
  if (!key) throw Errors.apiKeyNotFound(credentials.keyId);
  const problem = keyProblem(key, now);
  if (problem) throw Errors.invalidApiKey(key.id, problem);

  const { path, query } = splitTarget(request.target);
  if (!matchesAnyCandidate(keyObjectOf(key), candidates({ method: request.method, path, query, requestDate }), credentials.signature)) {
    throw Errors.wrongSignature();
  }
  return { key, signature: credentials.signature, validUntil: lastAcceptedAt(date, settings.skewMs, settings.allowTwelveHourClock) };
}

/** HMAC keys per API key object (the credential cache hands out the same object until it changes). */
const keyObjects = new WeakMap<ApiKey, KeyObject>();

function keyObjectOf(key: ApiKey): KeyObject {
  let keyObject = keyObjects.get(key);
  if (!keyObject) keyObjects.set(key, (keyObject = hmacKey(key.value)));
  return keyObject;
}
