/** The `Authorization: AzureCDN {keyId}:{signature}` header (CONTRACT §2). */

const HEADER = /^AzureCDN +([^\s:]+):([0-9a-fA-F]{64})$/i;

export interface AuthorizationCredentials {
  readonly keyId: string;
  readonly signature: string;
}

export function formatAuthorizationHeader(keyId: string, signature: string): string {
  return `AzureCDN ${keyId}:${signature}`;
}

/** Undefined when the value is not `AzureCDN {keyId}:{64 hex digits}`. */
export function parseAuthorizationHeader(value: string): AuthorizationCredentials | undefined {
  const match = HEADER.exec(value.trim());
  return match ? { keyId: match[1]!, signature: match[2]! } : undefined;
}
