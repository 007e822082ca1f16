/**
 * The edge's cache store as an edge process builds it from its settings: memory, with the disk
 * tier under it when one is configured (its index rebuilt from the files before this returns,
 * so before the edge listens). The embedded edge and any other edge process build it here.
 */
import { DiskTier } from './disk-tier.js';
import { MemoryCacheStore } from './memory-store.js';

export interface EdgeCacheSettings {
  readonly cacheBytes: number;
  readonly maxObjectBytes: number;
  /** The disk tier's directory and byte budget; none when undefined. */
  readonly disk?: { readonly dir: string; readonly bytes: number } | undefined;
}

export interface EdgeCacheHooks {
  /** Told about disk tier files that could not be read or deleted. */
  readonly onDiskError?: (error: Error) => void;
  /** Now (epoch ms), for the objects found expired at start. */
  readonly now: number;
}

export async function openEdgeCache(settings: EdgeCacheSettings, hooks: EdgeCacheHooks): Promise<MemoryCacheStore> {
  const disk = settings.disk
    ? await DiskTier.open({ dir: settings.disk.dir, budgetBytes: settings.disk.bytes, ...(hooks.onDiskError && { onError: hooks.onDiskError }) }, hooks.now)
    : undefined;
  return new MemoryCacheStore(settings.cacheBytes, settings.maxObjectBytes, { ...(disk && { disk }) });
}
