/**
 * The credentials a server starts with: those named by MOONCDN_SUBSCRIPTION_ID, _KEY_ID and
 * _KEY_VALUE (created or reset to that value), or on a first start with none, a development
 * subscription and key, whose value is shown once: as a line to paste, printed and saved in a
 * file only its owner can read.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newKeyValue } from '../domain/api-key.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';

export interface BootstrapResult {
  readonly subscriptionId: string;
  readonly keyId: string;
  /** Only when a development key was created now: the line to paste, with its value. */
  readonly exportLine?: string;
  /** With exportLine: that it is saved in the credentials file too, or why not. */
  readonly saved?: { readonly ok: true } | { readonly ok: false; readonly problem: string };
}

/** The file in the data dir that keeps the development key's export line. */
export function credentialsFile(dataDir: string): string {
  return join(dataDir, 'credentials');
}

/** Where a development key goes: the API's URL for the line, the file to save the line in. */
export interface DevelopmentKeyTarget {
  /** As clients reach it: --public-url when given (behind a proxy), else the URL it listens on. */
  readonly apiUrl: string;
  readonly credentialsFile: string;
}

export async function bootstrapCredentials(
  store: Store,
  clock: Clock,
  given: { subscriptionId: string; keyId: string; keyValue: string } | undefined,
  development: DevelopmentKeyTarget,
): Promise<BootstrapResult | undefined> {
  const now = clock.now();
  if (given) {
    await store.transaction(async (tx) => {
      if (!(await tx.subscriptions.get(given.subscriptionId))) {
        await tx.subscriptions.insert({ id: given.subscriptionId, name: 'bootstrap', createdAt: now });
      }
      const existing = await tx.apiKeys.get(given.keyId);
      if (existing && existing.subscriptionId !== given.subscriptionId) {
        throw new Error(`MOONCDN_KEY_ID "${given.keyId}" already belongs to subscription ${existing.subscriptionId}, not ${given.subscriptionId}.`);
      }
      if (existing) await tx.apiKeys.resetValue(given.keyId, given.keyValue);
      else {
        await tx.apiKeys.insert({
          id: given.keyId,
          subscriptionId: given.subscriptionId,
          value: given.keyValue,
          scope: 'full',
          expiresAt: null,
          ratePerMinute: null,
          revokedAt: null,
          createdAt: now,
        });
      }
    });
    return { subscriptionId: given.subscriptionId, keyId: given.keyId };
  }

  return store.transaction(async (tx) => {
    if ((await tx.subscriptions.list()).length > 0) return undefined;
    const subscriptionId = randomUUID();
    const keyId = randomUUID();
    const value = newKeyValue();
    await tx.subscriptions.insert({ id: subscriptionId, name: 'development', createdAt: now });
    await tx.apiKeys.insert({
      id: keyId,
      subscriptionId,
      value,
      scope: 'full',
      expiresAt: null,
      ratePerMinute: null,
      revokedAt: null,
      createdAt: now,
    });
    // Saved before the commit: once the key exists, its value is on disk too (a crash after
    // the commit loses nothing). A file that cannot be written does not stop the start; the
    // line is still printed.
    const exportLine = `export MOONCDN_API_URL=${development.apiUrl} MOONCDN_SUBSCRIPTION_ID=${subscriptionId} MOONCDN_KEY_ID=${keyId} MOONCDN_KEY_VALUE=${value}`;
    return { subscriptionId, keyId, exportLine, saved: save(development.credentialsFile, `${exportLine}\n`) };
  });
}

/** Writes a file only its owner can read (made anew: an older one may have a wider mode). */
function save(file: string, text: string): NonNullable<BootstrapResult['saved']> {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    rmSync(file, { force: true });
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}
