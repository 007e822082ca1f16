/**
 * What the `mooncdn` command prints for an API error. The server's messages for the signature
 * checks explain the protocol to whoever builds requests by hand; the command builds them
 * itself, so its user needs to hear which setting to check instead.
 */
import type { MooncdnError } from '../../client/errors.js';

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

export function describeApiError(error: MooncdnError): string {
  const message = INSTEAD[error.type] ?? [error.message, AFTER[error.type]].filter(Boolean).join(' ');
  return `${error.type}: ${message}${error.correlationId ? ` (correlation id ${error.correlationId})` : ''}`;
}
