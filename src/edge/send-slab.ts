/**
 * Sends bytes of a body in the slab pool without copying them: its views go to the socket, so
 * the body is held (a reference, cache/slab-body.ts) until the response closes. Node emits a
 * response's 'close' only after its socket's writes have completed (after 'finish') or the
 * socket has closed (its pending writes cancelled first), so an evicted body's chunks are not
 * reused while a slow client is still being sent them.
 */
import type { ServerResponse } from 'node:http';
import type { SlabBody } from './cache/slab-body.js';

/** Bytes `start` to `end` (inclusive) of `body`, and the response ended. */
export function sendSlab(res: ServerResponse, body: SlabBody, start: number, end: number): void {
  // Closed already ('close' was emitted and will not be again): nothing would be sent.
  if (res.destroyed) return void res.end();
  // Queued behind a pipelined response: Node never emits 'close' for it if the connection dies
  // first, so it gets a copy and holds nothing (rare: clients hardly pipeline).
  if (!res.socket) return void res.end(Buffer.concat(body.range(start, end + 1)));
  body.acquire();
  res.on('close', body.release);
  const views = start === 0 && end === body.length - 1 ? body.views : body.range(start, end + 1);
  if (views.length <= 1) return void res.end(views[0]);
  // One writev for all of them (end() uncorks).
  res.cork();
  for (let i = 0; i < views.length - 1; i++) res.write(views[i]);
  res.end(views[views.length - 1]);
}
