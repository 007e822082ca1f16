import type { Kysely } from 'kysely';
import type { ApiKey, KeyScope } from '../../domain/api-key.js';
import type { SecretBox } from '../../domain/secret-box.js';
import type { ApiKeysTable, Database } from '../schema.js';
import type { DialectName } from '../dialect.js';
import { announceCredentials } from '../notifications.js';
import type { CredentialWrites } from '../store.js';

export class ApiKeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly secrets: SecretBox,
    private readonly writes: CredentialWrites,
  ) {}

  async insert(key: ApiKey): Promise<void> {
    this.writes.count++;
    await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        subscription_id: key.subscriptionId,
        secret: this.secrets.seal(key.value),
        scope: key.scope,
        expires_at: key.expiresAt,
        rate_per_minute: key.ratePerMinute,
        revoked_at: key.revokedAt,
        created_at: key.createdAt,
      })
      .execute();
    await announceCredentials(this.db, this.dialect);
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toKey(row);
  }

  /** Keys of a subscription, values included: callers must not print them. */
  async listBySubscription(subscriptionId: string): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => this.toKey(row));
  }

  /** Marks the key revoked; false when there is no such key. */
  async revoke(id: string, at: number): Promise<boolean> {
    this.writes.count++;
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await announceCredentials(this.db, this.dialect);
    if (Number(result.numUpdatedRows) > 0) return true;
    return (await this.get(id)) !== undefined;
  }

  /** Replaces the value and clears revocation and expiry (bootstrap from the environment). */
  async resetValue(id: string, value: string): Promise<void> {
    this.writes.count++;
    await this.db
      .updateTable('api_keys')
      .set({ secret: this.secrets.seal(value), revoked_at: null, expires_at: null, scope: 'full' })
      .where('id', '=', id)
      .execute();
    await announceCredentials(this.db, this.dialect);
  }

  /**
   * Opens one stored key value, so a wrong or missing MOONCDN_MASTER_KEY is found at start
   * rather than at the first signed request.
   */
  async checkSecretsReadable(): Promise<void> {
    const row = await this.db.selectFrom('api_keys').selectAll().limit(1).executeTakeFirst();
    if (row) this.secrets.open(row.secret);
  }

  private toKey(row: ApiKeysTable): ApiKey {
    return {
      id: row.id,
      subscriptionId: row.subscription_id,
      value: this.secrets.open(row.secret),
      scope: row.scope as KeyScope,
      expiresAt: row.expires_at,
      ratePerMinute: row.rate_per_minute,
      revokedAt: row.revoked_at,
      createdAt: row.created_at,
    };
  }
}
