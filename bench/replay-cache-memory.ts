/**
 * Memory of the replay cache (--replay-cache) when full: MAX_ENTRIES signatures, each sliced
 * from an Authorization header as the API gets it. Heap used after a full collection, with the
 * cache and after dropping it.
 *
 *   node --expose-gc --import tsx bench/replay-cache-memory.ts
 */
import { randomBytes } from 'node:crypto';
import { MAX_ENTRIES, ReplayCache } from '../src/api/authentication/replay-cache.js';
import { parseAuthorizationHeader } from '../src/signing/authorization-header.js';

const gc = globalThis.gc;
if (!gc) throw new Error('run node with --expose-gc');
const now = Date.now();
gc();
const before = process.memoryUsage().heapUsed;
let cache: ReplayCache | undefined = new ReplayCache();
for (let i = 0; i < MAX_ENTRIES; i++) {
  const header = `AzureCDN 0b6f1b2e-8f7a-4c8e-9a55-0f3c2d1e4b5a:${randomBytes(32).toString('hex').toUpperCase()}`;
  cache.firstUse(parseAuthorizationHeader(header)!.signature, now + 900_000 + i, now);
}
gc();
console.log(`${cache.size} signatures: ${((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1)} MB of heap`);
cache = undefined;
