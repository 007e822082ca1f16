import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { TrafficSample } from '../../domain/traffic-sample.js';

export class TrafficRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds the samples to their buckets (creating them as needed). */
  async add(samples: readonly TrafficSample[]): Promise<void> {
    for (const sample of samples) {
      await this.db
        .insertInto('traffic')
        .values({
          endpoint_id: sample.endpointId,
          bucket_start: sample.bucketStart,
          cdn_bytes: sample.cdnBytes,
          origin_bytes: sample.originBytes,
        })
        .onConflict((oc) =>
          oc.columns(['endpoint_id', 'bucket_start']).doUpdateSet((eb) => ({
            cdn_bytes: eb('traffic.cdn_bytes', '+', eb.ref('excluded.cdn_bytes')),
            origin_bytes: eb('traffic.origin_bytes', '+', eb.ref('excluded.origin_bytes')),
          })),
        )
        .execute();
    }
  }

  /**
   * Adds an edge's traffic report unless one with its id was added before (NATS may deliver a
   * report twice). Run it in a transaction, so the id and the figures are written together.
   * Returns whether the report was new. Ids older than a day are forgotten.
   */
  async addReport(id: string, samples: readonly TrafficSample[], now: number): Promise<boolean> {
    const inserted = await this.db.insertInto('traffic_reports').values({ id, received_at: now }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await this.add(samples);
    await this.db.deleteFrom('traffic_reports').where('received_at', '<', now - 86_400_000).execute();
    return true;
  }

  /** The 5-minute buckets of the endpoints in [from, to), by bucket, then endpoint. */
  async list(endpointIds: readonly string[], from: number, to: number): Promise<TrafficSample[]> {
    if (endpointIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('traffic')
      .selectAll()
      .where('endpoint_id', 'in', endpointIds)
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to)
      .orderBy('bucket_start')
      .orderBy('endpoint_id')
      .execute();
    return rows.map((row) => ({
      endpointId: row.endpoint_id,
      bucketStart: row.bucket_start,
      cdnBytes: row.cdn_bytes,
      originBytes: row.origin_bytes,
    }));
  }
}
