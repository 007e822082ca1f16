/**
 * Reading a body kept in a file of the disk tier (cache-store.ts FileBody): taken only when the
 * file is there and has the length its metadata gave it, so a truncated file is never served;
 * kept open between hits when the tier keeps its files open (open-files.ts). Then read whole
 * into reused memory (a pool of slab chunks, held until the response is sent, as bodies in the
 * memory tier are), or streamed when large.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { FileBody, type Body } from './cache-store.js';
import type { FileLease } from './open-files.js';
import { SlabBody, SlabWriter } from './slab-body.js';
import type { SlabPool } from './slab-pool.js';

/** The file taken for reading, or undefined when it is missing or not of the expected length. */
export async function openBody(body: FileBody): Promise<FileLease | undefined> {
  if (body.files) return body.files.take(body.path, body.fileLength, () => body.removed);
  let handle;
  try {
    handle = await open(body.path, 'r');
    const { size } = await handle.stat();
    if (size === body.fileLength) {
      const opened = handle;
      let released = false;
      const release = () => {
        if (!released) void opened.close().catch(() => undefined);
        released = true;
      };
      return { handle: opened, release };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await handle?.close();
  return undefined;
}

/** Bytes read at a time by a stream. */
const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * Bytes `start` to `end` (inclusive) of the body, as a stream that errs when the file is cut
 * short; the file is given back once the stream is closed (not closed by it: a file stream
 * closes its descriptor when destroyed, and this one may be kept open for other hits).
 */
export function streamBody(file: FileLease, body: FileBody, start: number, end: number): Readable {
  const stream = Readable.from(readChunks(file, body, start, end), { objectMode: false });
  // Emitted once the read under way, if any, has ended.
  stream.once('close', file.release);
  return stream;
}

async function* readChunks(file: FileLease, body: FileBody, start: number, end: number): AsyncGenerator<Buffer> {
  for (let at = start; at <= end; ) {
    const bytes = Buffer.allocUnsafe(Math.min(STREAM_CHUNK_BYTES, end + 1 - at));
    const { bytesRead } = await file.handle.read(bytes, 0, bytes.length, body.offset + at);
    if (bytesRead === 0) throw new Error(`a file of the disk tier was cut short: ${body.path}`);
    yield bytesRead === bytes.length ? bytes : bytes.subarray(0, bytesRead);
    at += bytesRead;
  }
}

/**
 * Bytes `start` to `end` (inclusive) of the body, read in one go into chunks of `pool` (one
 * reference, the caller's: release it once the bytes are sent), or into a buffer of their own
 * when the pool has no room. The file is given back; throws when it is cut short.
 */
export async function readBody(file: FileLease, body: FileBody, start: number, end: number, pool: SlabPool): Promise<SlabBody | Buffer> {
  const length = end + 1 - start;
  const writer = new SlabWriter(pool);
  let bytes: SlabBody | Buffer;
  if (writer.reserve(length)) bytes = writer.seal();
  else {
    writer.discard();
    bytes = Buffer.allocUnsafe(length);
  }
  try {
    const views = bytes instanceof SlabBody ? bytes.views : [bytes];
    const position = body.offset + start;
    const read = views.length === 1 ? await file.handle.read(views[0]!, 0, length, position) : await file.handle.readv(views, position);
    if (read.bytesRead !== length) throw new Error(`a file of the disk tier was cut short: ${body.path}`);
    return bytes;
  } catch (error) {
    // Only once the read has ended: until then it writes into the chunks.
    if (bytes instanceof SlabBody) bytes.release();
    throw error;
  } finally {
    file.release();
  }
}

/**
 * The body's bytes in order: the buffer itself, a copy of a body in the pool (whoever gets the
 * chunks may write them out after the body is gone), or the file's bytes as they are read (an
 * error if it is cut short).
 */
export function bodyChunks(body: Body): Iterable<Buffer> | AsyncIterable<Buffer> {
  if (Buffer.isBuffer(body)) return [body];
  return body instanceof FileBody ? fileChunks(body) : [body.toBuffer()];
}

async function* fileChunks(body: FileBody): AsyncIterable<Buffer> {
  let read = 0;
  if (body.length > 0) {
    for await (const chunk of createReadStream(body.path, { start: body.offset, end: body.fileLength - 1 })) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  if (read !== body.length) throw new Error(`a file of the disk tier was cut short (${read} of ${body.length} bytes): ${body.path}`);
}
