/**
 * What the `mooncdn` command prints for an API error. The server's messages for the signature
 * checks explain the protocol to whoever builds requests by hand; the command builds them
 * itself, so its user needs to hear which setting to check instead.
 */
import type { MooncdnError } from '../../client/errors.js';
import { isCertificateFailure } from '../../client/transport.js';

const INSTEAD: Partial<Record<MooncdnError['type'], string>> = {
  WrongSignature: 'The key value does not match the key id: check MOONCDN_KEY_VALUE (--key-value), the value printed once when MOONCDN_KEY_ID was created.',
  AuthorizationHeaderExpired: "This machine's clock and the server's differ by more than the server allows (15 minutes by default): set the clock right.",
};

const AFTER: Partial<Record<MooncdnError['type'], string>> = {
  ApiKeyNotFound: 'Check MOONCDN_KEY_ID (--key-id), and that MOONCDN_API_URL is the server the key was created on.',
  InvalidApiKey: 'Create a key with: mooncdn admin key create --subscription ID',
  SubscriptionNotFound: 'Check MOONCDN_SUBSCRIPTION_ID (--subscription-id).',
  CredentialInvalid: 'Check MOONCDN_SUBSCRIPTION_ID (--subscription-id): the key belongs to another subscription.',
  ConnectionError: 'Check MOONCDN_API_URL (--api-url), and that the server is running.',
};

/**
 * A certificate that does not verify means the server was reached: the URL and the server are
 * not what to check, the trust is.
 */
const UNTRUSTED_CERTIFICATE =
  "The API's TLS certificate did not verify: pass the CA that signed it with --ca FILE (and --tls-servername NAME when the URL holds an IP address), or --insecure for local testing only.";

function hintFor(error: MooncdnError): string | undefined {
  if (error.type === 'ConnectionError') {
    const cause = error.cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
    const code = cause?.code ?? cause?.cause?.code;
    if (typeof code === 'string' && isCertificateFailure(code)) return UNTRUSTED_CERTIFICATE;
  }
  return AFTER[error.type];
}

export function describeApiError(error: MooncdnError): string {
  const message = INSTEAD[error.type] ?? [error.message, hintFor(error)].filter(Boolean).join(' ');
  return `${error.type}: ${message}${error.correlationId ? ` (correlation id ${error.correlationId})` : ''}`;
}
