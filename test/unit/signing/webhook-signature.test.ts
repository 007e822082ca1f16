/** The webhook signature (extension): a fixed vector, and what verification refuses. */
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignatureHeader } from '../../../src/signing/index.js';

const SECRET = 'whsec-test-secret-0001';
const BODY = '{"Id":"x"}';
// HMAC-SHA256("whsec-test-secret-0001", "1700000000.{\"Id\":\"x\"}"), computed with openssl's Node binding.
const HEADER = 't=1700000000,v1=365365552ae51e5a614e3efac1928802708460e7f35b54e06c3f199ef72b16b5';

describe('webhook signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    expect(webhookSignatureHeader(SECRET, 1_700_000_000, BODY)).toBe(HEADER);
  });

  it('verifies within the tolerance only, with the right secret and body', () => {
    const at = 1_700_000_000_000;
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, { nowMs: at + 299_000 })).toBe(true);
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, { nowMs: at + 301_000 })).toBe(false);
    expect(verifyWebhookSignature('whsec-test-secret-0002', HEADER, BODY, { nowMs: at })).toBe(false);
    expect(verifyWebhookSignature(SECRET, HEADER, '{"Id":"y"}', { nowMs: at })).toBe(false);
    expect(verifyWebhookSignature(SECRET, 'v1=abc', BODY, { nowMs: at })).toBe(false);
    expect(verifyWebhookSignature(SECRET, undefined, BODY, { nowMs: at })).toBe(false);
  });
});
