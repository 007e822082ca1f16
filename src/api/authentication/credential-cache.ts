/**
 * API keys and subscriptions as the signature checks read them, on every request. They change
 * only through `mooncdn admin` (another process), so they are cached against the store's change
 * token: a revocation takes effect within 50 ms with SQLite, and with PostgreSQL on every API
 * process as soon as the writer's NOTIFY arrives (within a second while a listener is down;
 * README, "Security").
 */
import type { ApiKey } from '../../domain/api-key.js';
import type { Store } from '../../store/store.js';

/** Unknown ids are cached too (a flood of made-up key ids must not reach the store), within a bound. */
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  readonly value: T;
  readonly token: number;
}

export class CredentialCache {
  private readonly keys = new Map<string, Entry<ApiKey | undefined>>();
  private readonly subscriptions = new Map<string, Entry<boolean>>();

  constructor(private readonly store: Store) {}

  key(keyId: string): Promise<ApiKey | undefined> {
    return this.cached(this.keys, keyId, () => this.store.apiKeys.get(keyId));
  }

  subscriptionExists(subscriptionId: string): Promise<boolean> {
    return this.cached(this.subscriptions, subscriptionId, async () => (await this.store.subscriptions.get(subscriptionId)) !== undefined);
  }

  private async cached<T>(entries: Map<string, Entry<T>>, id: string, load: () => Promise<T>): Promise<T> {
    const token = this.store.changeToken();
    const entry = entries.get(id);
    if (entry && entry.token === token) return entry.value;
    const value = await load();
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(id, { value, token });
    return value;
  }
}
