/**
 * The signed-in key: in sessionStorage only (gone when the tab closes), never in a URL, a
 * cookie or localStorage.
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

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
