import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AccessControlPolicy } from '../../domain/access-control.js';
import type { CachePolicyRules } from '../../domain/cache-policy.js';
import type { Endpoint, EndpointSettings, LifetimeStatus, ServiceType } from '../../domain/endpoint.js';
import { CompiledLookup } from '../compiled-lookup.js';
import type { DialectName } from '../dialect.js';
import type { Database, EndpointsTable } from '../schema.js';

const byId = new CompiledLookup<Selectable<EndpointsTable>>((db, id) => db.selectFrom('endpoints').selectAll().where('id', '=', id));
const byIdForUpdate = new CompiledLookup<Selectable<EndpointsTable>>((db, id) => db.selectFrom('endpoints').selectAll().where('id', '=', id).forUpdate());

/** The fields an operation may change on an endpoint. */
export interface EndpointChanges {
  readonly settings?: EndpointSettings;
  readonly enabled?: boolean;
  readonly lifetimeStatus?: LifetimeStatus;
  readonly timeLastUpdated?: number;
  readonly cachePolicy?: CachePolicyRules;
  readonly accessControl?: AccessControlPolicy;
  readonly certificateId?: string | null;
  readonly deletedAt?: number;
}

export class EndpointRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async insert(endpoint: Endpoint): Promise<void> {
    await this.db
      .insertInto('endpoints')
      .values({
        id: endpoint.id,
        subscription_id: endpoint.subscriptionId,
        custom_domain: endpoint.customDomain,
        host: endpoint.host,
        icp: endpoint.icp,
        origin_addresses: JSON.stringify(endpoint.originAddresses),
        service_type: endpoint.serviceType,
        enabled: endpoint.enabled ? 1 : 0,
        lifetime_status: endpoint.lifetimeStatus,
        time_last_updated: endpoint.timeLastUpdated,
        cache_policy: JSON.stringify(endpoint.cachePolicy),
        access_control: JSON.stringify(endpoint.accessControl),
        certificate_id: endpoint.certificateId,
        created_at: endpoint.createdAt,
        deleted_at: null,
      })
      .execute();
  }

  /** The endpoint, deleted or not (a deleted one has LifetimeStatus Deleted). */
  async get(id: string): Promise<Endpoint | undefined> {
    const row = await byId.first(this.db, this.dialect, id);
    return row && toEndpoint(row);
  }

  /**
   * The endpoint, locked until the transaction ends, for a read that decides a write: two
   * changes to one endpoint accepted at once are serialised, so the second sees the first
   * (CONTRACT §6: it is refused while the first is queued). PostgreSQL locks the row; SQLite
   * needs nothing, as its write transactions (BEGIN IMMEDIATE) already hold the whole database.
   */
  async getForUpdate(id: string): Promise<Endpoint | undefined> {
    if (this.dialect === 'sqlite') return this.get(id);
    const row = await byIdForUpdate.first(this.db, this.dialect, id);
    return row && toEndpoint(row);
  }

  /** The endpoints of a subscription that are not deleted, oldest first. */
  async listBySubscription(subscriptionId: string): Promise<Endpoint[]> {
    const rows = await this.oldestFirst().where('subscription_id', '=', subscriptionId).where('deleted_at', 'is', null).execute();
    return rows.map(toEndpoint);
  }

  /** Every endpoint that is not deleted: what the edges serve. */
  async listLive(): Promise<Endpoint[]> {
    const rows = await this.oldestFirst().where('deleted_at', 'is', null).execute();
    return rows.map(toEndpoint);
  }

  /** Endpoints of a subscription, deleted ones included (traffic of the past still counts). */
  async listAllBySubscription(subscriptionId: string): Promise<Endpoint[]> {
    const rows = await this.oldestFirst().where('subscription_id', '=', subscriptionId).execute();
    return rows.map(toEndpoint);
  }

  /** The order every listing shares: creation, then id for endpoints created in the same millisecond. */
  private oldestFirst() {
    return this.db.selectFrom('endpoints').selectAll().orderBy('created_at').orderBy('id');
  }

  async findLiveByDomain(customDomain: string): Promise<Endpoint | undefined> {
    const row = await this.db
      .selectFrom('endpoints')
      .selectAll()
      .where('custom_domain', '=', customDomain)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && toEndpoint(row);
  }

  async update(id: string, changes: EndpointChanges): Promise<void> {
    const set: Updateable<EndpointsTable> = {};
    if (changes.settings) {
      set.host = changes.settings.host;
      set.icp = changes.settings.icp;
      set.origin_addresses = JSON.stringify(changes.settings.originAddresses);
      set.service_type = changes.settings.serviceType;
    }
    if (changes.enabled !== undefined) set.enabled = changes.enabled ? 1 : 0;
    if (changes.lifetimeStatus !== undefined) set.lifetime_status = changes.lifetimeStatus;
    if (changes.timeLastUpdated !== undefined) set.time_last_updated = changes.timeLastUpdated;
    if (changes.cachePolicy !== undefined) set.cache_policy = JSON.stringify(changes.cachePolicy);
    if (changes.accessControl !== undefined) set.access_control = JSON.stringify(changes.accessControl);
    if (changes.certificateId !== undefined) set.certificate_id = changes.certificateId;
    if (changes.deletedAt !== undefined) set.deleted_at = changes.deletedAt;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('endpoints').set(set).where('id', '=', id).execute();
  }
}

function toEndpoint(row: EndpointsTable): Endpoint {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    customDomain: row.custom_domain,
    host: row.host,
    icp: row.icp,
    originAddresses: JSON.parse(row.origin_addresses) as string[],
    serviceType: row.service_type as ServiceType,
    enabled: row.enabled === 1,
    lifetimeStatus: row.lifetime_status as LifetimeStatus,
    timeLastUpdated: row.time_last_updated,
    cachePolicy: JSON.parse(row.cache_policy) as CachePolicyRules,
    accessControl: JSON.parse(row.access_control) as AccessControlPolicy,
    certificateId: row.certificate_id,
    createdAt: row.created_at,
  };
}
