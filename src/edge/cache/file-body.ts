/**
 * Reading a body kept in a file of the disk tier (cache-store.ts FileBody): opened only when the
 * file is there and has the length its metadata gave it, so a truncated file is never served;
 * then streamed, whole or a range of it, never read into memory at once.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FileBody, type Body } from './cache-store.js';

/** The file opened for reading, or undefined when it is missing or not of the expected length. */
export async function openBody(body: FileBody): Promise<FileHandle | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(body.path, 'r');
    const { size } = await handle.stat();
    if (size === body.fileLength) return handle;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await handle?.close();
  return undefined;
}

/** Bytes `start` to `end` (inclusive) of the body; the stream closes the handle when done or destroyed. */
export function streamBody(handle: FileHandle, body: FileBody, start: number, end: number): Readable {
  return handle.createReadStream({ start: body.offset + start, end: body.offset + end, highWaterMark: 256 * 1024 });
}

/** Bytes `start` to `end` (inclusive) of the body in one buffer; closes the handle. */
export async function readBody(handle: FileHandle, body: FileBody, start: number, end: number): Promise<Buffer> {
  try {
    const bytes = Buffer.allocUnsafe(end + 1 - start);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, body.offset + start);
    if (bytesRead !== bytes.length) throw new Error(`a file of the disk tier was cut short: ${body.path}`);
    return bytes;
  } finally {
    await handle.close();
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
