/** HMAC-SHA256 keyed with the UTF-8 bytes of the key value; signatures compared in constant time. */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;

/** The upper-case hex signature of a canonical string, as every official sample sends it. */
export function sign(keyValue: string, canonical: string): string {
  return digest(keyValue, canonical).toString('hex').toUpperCase();
}

function digest(keyValue: string, message: string): Buffer {
  return createHmac('sha256', Buffer.from(keyValue, 'utf8')).update(message, 'utf8').digest();
}

/**
 * Whether `signatureHex` (64 hex digits, either case) signs any of the candidate strings.
 * Every candidate is checked, each in constant time, so the time taken does not depend on
 * which one matched or how much of the signature was right.
 */
export function matchesAnyCandidate(keyValue: string, candidates: readonly string[], signatureHex: string): boolean {
  if (!HEX_SIGNATURE.test(signatureHex)) return false;
  const given = Buffer.from(signatureHex, 'hex');
  let matched = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(digest(keyValue, candidate), given)) matched = true;
  }
  return matched;
}
