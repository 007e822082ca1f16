/**
 * The layout of one object's file in the disk tier (disk-tier.ts):
 *
 *   "MCD1"  u32 big-endian: n  n bytes: the object's metadata as JSON  the body
 *
 * The metadata says the body's length, so a file is whole exactly when its length is
 * 8 + n + bodyLength: a file cut short (a crash mid-write, a full disk, someone's truncate) is
 * found by its length alone, at startup and again each time it is opened to be served.
 */
import type { CachedObject } from './cache-store.js';

const MAGIC = 'MCD1';
export const PREFIX_BYTES = 8;
/** Metadata larger than this is not ours (headers are bounded far below it). */
export const MAX_METADATA_BYTES = 1024 * 1024;

/** What a file says about its object: the object but its body, and the body's length. */
export type DiskMetadata = Omit<CachedObject, 'body'> & { readonly bodyLength: number };

/** The bytes before the body: prefix and metadata. */
export function encodeHead(object: CachedObject, bodyLength: number): Buffer {
  const metadata: DiskMetadata = {
    key: object.key,
    endpointId: object.endpointId,
    path: object.path,
    status: object.status,
    headers: object.headers,
    storedAt: object.storedAt,
    staleAt: object.staleAt,
    ...(object.deleteAt !== undefined && { deleteAt: object.deleteAt }),
    generation: object.generation,
    ...(object.vary && { vary: object.vary }),
    ...(object.tags && object.tags.length > 0 && { tags: object.tags }),
    bodyLength,
  };
  const json = Buffer.from(JSON.stringify(metadata));
  const head = Buffer.allocUnsafe(PREFIX_BYTES + json.length);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32BE(json.length, 4);
  json.copy(head, PREFIX_BYTES);
  return head;
}

/** The metadata's length from a file's first PREFIX_BYTES, or undefined when they are not ours. */
export function metadataLength(prefix: Buffer): number | undefined {
  if (prefix.length < PREFIX_BYTES || prefix.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const length = prefix.readUInt32BE(4);
  return length > 0 && length <= MAX_METADATA_BYTES ? length : undefined;
}

/** The metadata, or undefined when it is not a whole, well-formed record. */
export function decodeMetadata(json: Buffer): DiskMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const isTime = (field: unknown) => typeof field === 'number' && Number.isFinite(field);
  const wellFormed =
    typeof m['key'] === 'string' &&
    typeof m['endpointId'] === 'string' &&
    typeof m['path'] === 'string' &&
    Number.isInteger(m['status']) &&
    typeof m['headers'] === 'object' &&
    m['headers'] !== null &&
    isTime(m['storedAt']) &&
    isTime(m['staleAt']) &&
    (m['deleteAt'] === undefined || isTime(m['deleteAt'])) &&
    Number.isSafeInteger(m['generation']) &&
    (m['vary'] === undefined || (typeof m['vary'] === 'object' && m['vary'] !== null)) &&
    (m['tags'] === undefined || (Array.isArray(m['tags']) && m['tags'].every((tag) => typeof tag === 'string'))) &&
    Number.isSafeInteger(m['bodyLength']) &&
    (m['bodyLength'] as number) >= 0;
  return wellFormed ? (m as unknown as DiskMetadata) : undefined;
}
