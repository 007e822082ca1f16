/**
 * The signed-in key, and the operator token of the fleet page: in sessionStorage only (gone when
 * the tab closes), never in a URL, a cookie or localStorage.
 */

export interface Session {
  readonly subscriptionId: string;
  readonly keyId: string;
  readonly keyValue: string;
}

const KEY = 'mooncdn.console.session';

export function loadSession(): Session | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    if (value && typeof value.subscriptionId === 'string' && typeof value.keyId === 'string' && typeof value.keyValue === 'string') {
      return { subscriptionId: value.subscriptionId, keyId: value.keyId, keyValue: value.keyValue };
    }
  } catch {
    // unreadable: signed out
  }
  return undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

/** Signing out forgets the operator token too. */
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(OPERATOR_KEY);
}

const OPERATOR_KEY = 'mooncdn.console.operator-token';

export function loadOperatorToken(): string | undefined {
  return sessionStorage.getItem(OPERATOR_KEY) ?? undefined;
}

export function saveOperatorToken(token: string): void {
  sessionStorage.setItem(OPERATOR_KEY, token);
}

export function clearOperatorToken(): void {
  sessionStorage.removeItem(OPERATOR_KEY);
}
