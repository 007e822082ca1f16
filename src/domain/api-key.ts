/** API keys: scopes, what each allows, and new key values. */
import { randomBytes } from 'node:crypto';

export const KEY_SCOPES = ['full', 'content', 'read'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** What a route needs: reading, purging/preloading content, or managing settings. */
export type Permission = 'read' | 'content' | 'manage';

export interface ApiKey {
  readonly id: string;
  readonly subscriptionId: string;
  readonly value: string;
  readonly scope: KeyScope;
  readonly expiresAt: number | null;
  readonly ratePerMinute: number | null;
  readonly revokedAt: number | null;
  readonly createdAt: number;
}

const ALLOWED: Record<KeyScope, ReadonlySet<Permission>> = {
  full: new Set(['read', 'content', 'manage']),
  content: new Set(['read', 'content']),
  read: new Set(['read']),
};

export function scopeAllows(scope: KeyScope, permission: Permission): boolean {
  return ALLOWED[scope].has(permission);
}

export function isKeyScope(value: string): value is KeyScope {
  return (KEY_SCOPES as readonly string[]).includes(value);
}

/** 32 random bytes, base64url: 43 characters a shell can hold without quoting. */
export function newKeyValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Key ids are compared case-insensitively (they are UUIDs unless an operator chose one). */
export function normalizeKeyId(keyId: string): string {
  return keyId.toLowerCase();
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** A key value an operator supplies must be at least as strong as a generated one. */
export const MIN_KEY_VALUE_LENGTH = 32;

export function keyProblem(key: ApiKey, now: number): 'revoked' | 'expired' | undefined {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return undefined;
}
