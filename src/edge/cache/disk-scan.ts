/**
 * The disk tier's files read back at start (disk-tier.ts): every object file's metadata, from
 * files that are whole (disk-file.ts: their length is what their metadata says). Files that are
 * not whole, or not ours, are deleted here.
 */
import { readdirSync } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeMetadata, metadataLength, PREFIX_BYTES, type DiskMetadata } from './disk-file.js';

/** Files read at once. */
const CONCURRENCY = 32;

export interface FoundObject {
  readonly metadata: DiskMetadata;
  readonly file: string;
  /** The file's length. */
  readonly size: number;
}

/** Every object file under `objects`, with its metadata; files that are not whole or not ours are deleted. */
export async function readObjects(objects: string, onError?: (error: Error) => void): Promise<FoundObject[]> {
  const files: string[] = [];
  for (const sub of readdirSync(objects)) {
    for (const name of await readdir(join(objects, sub)).catch(() => [] as string[])) files.push(join(objects, sub, name));
  }
  const found: FoundObject[] = [];
  for (let i = 0; i < files.length; i += CONCURRENCY) {
    await Promise.all(
      files.slice(i, i + CONCURRENCY).map(async (file) => {
        const read = await readObject(file).catch((error: Error) => {
          onError?.(error);
          return undefined;
        });
        if (read) found.push({ ...read, file });
        else await unlink(file).catch(() => undefined);
      }),
    );
  }
  return found;
}

/** A file's metadata and length, when it is whole. */
async function readObject(file: string): Promise<{ metadata: DiskMetadata; size: number } | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if ((await handle.read(prefix, 0, PREFIX_BYTES, 0)).bytesRead !== PREFIX_BYTES) return undefined;
    const length = metadataLength(prefix);
    if (length === undefined || PREFIX_BYTES + length > size) return undefined;
    const json = Buffer.alloc(length);
    if ((await handle.read(json, 0, length, PREFIX_BYTES)).bytesRead !== length) return undefined;
    const metadata = decodeMetadata(json);
    if (!metadata || size !== PREFIX_BYTES + length + metadata.bodyLength) return undefined;
    return { metadata, size };
  } finally {
    await handle?.close();
  }
}
