/** HMAC-SHA256 keyed with the UTF-8 bytes of the key value; signatures compared in constant time. */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;

/** The upper-case hex signature of a canonical string, as every official sample sends it. */
export function sign(keyValue: string, canonical: string): string {
  return digest(keyValue, canonical).toString('hex').toUpperCase();
}

function digest(keyValue: string, message: string): Buffer {
  return createHmac('sha256', Buffer.from(keyValue, 'utf8')).update(message, 'utf8').digest();
}

/**
 * Whether `signatureHex` (64 hex digits, either case) signs any of the candidate strings. Each
 * comparison takes constant time, so timing says nothing about how much of a signature was
 * right. The search stops at the first match: which variant a client signed is no secret, and
 * with the contract's canonical string first a valid request costs one HMAC.
 */
export function matchesAnyCandidate(keyValue: string | KeyObject, candidates: Iterable<string>, signatureHex: string): boolean {
  if (!HEX_SIGNATURE.test(signatureHex)) return false;
  const given = Buffer.from(signatureHex, 'hex');
  const key = typeof keyValue === 'string' ? hmacKey(keyValue) : keyValue;
  for (const candidate of candidates) {
    if (timingSafeEqual(createHmac('sha256', key).update(candidate, 'utf8').digest(), given)) return true;
  }
  return false;
}

/** The key value as a KeyObject, which a verifier can keep instead of re-reading the bytes each time. */
export function hmacKey(keyValue: string): KeyObject {
  return createSecretKey(Buffer.from(keyValue, 'utf8'));
}
