/**
 * The slab pool and its bodies (cache/slab-pool.ts, cache/slab-body.ts): chunks are handed out,
 * given back and reused; bodies never overlap; a body read by someone is not freed until they
 * are done; an exhausted pool asks its owner for room.
 */
import { describe, expect, it } from 'vitest';
import { SlabBody, slabBodyOf, SlabWriter } from '../../../src/edge/cache/slab-body.js';
import { SlabPool } from '../../../src/edge/cache/slab-pool.js';

const CHUNK = 64;

/** Distinct bytes for body number `n`. */
const bytesOf = (n: number, length: number) => Buffer.alloc(length, n % 251);

function body(pool: SlabPool, n: number, length: number): SlabBody {
  const made = slabBodyOf(pool, bytesOf(n, length));
  expect(made, `body ${n} of ${length} bytes`).toBeDefined();
  return made!;
}

describe('SlabPool', () => {
  it('grows a slab at a time up to its bytes, then has nothing to give', () => {
    const pool = new SlabPool(10 * CHUNK, CHUNK, 4 * CHUNK);
    expect([pool.slabBytes, pool.usedBytes]).toEqual([0, 0]);
    const ids = [pool.allocate()];
    expect(pool.slabBytes).toBe(4 * CHUNK);
    for (let i = 1; i < 10; i++) ids.push(pool.allocate());
    expect([pool.slabBytes, pool.usedBytes]).toEqual([10 * CHUNK, 10 * CHUNK]);
    expect(pool.allocate()).toBeUndefined();
    expect(new Set(ids).size).toBe(10);
  });

  it('reuses a released chunk at once', () => {
    const pool = new SlabPool(2 * CHUNK, CHUNK);
    const a = pool.allocate()!;
    pool.allocate();
    expect(pool.allocate()).toBeUndefined();
    pool.release(a);
    expect(pool.allocate()).toBe(a);
    expect(pool.slabBytes).toBe(2 * CHUNK);
  });

  it('asks for room when full, as long as room is made', () => {
    const pool = new SlabPool(2 * CHUNK, CHUNK);
    const held = [pool.allocate()!, pool.allocate()!];
    let asked = 0;
    pool.reclaim = () => {
      asked++;
      const id = held.shift();
      if (id === undefined) return false;
      pool.release(id);
      return true;
    };
    expect(pool.allocate()).toBeDefined();
    expect(pool.allocate()).toBeDefined();
    expect(pool.allocate()).toBeUndefined();
    expect(asked).toBe(3);
  });
});

describe('SlabBody', () => {
  it('keeps the bytes written, across chunks and slabs, as adjacent views', () => {
    const pool = new SlabPool(64 * CHUNK, CHUNK, 8 * CHUNK);
    const bytes = Buffer.from(Array.from({ length: 10 * CHUNK + 7 }, (_, i) => i % 256));
    const made = slabBodyOf(pool, bytes)!;
    expect(made.length).toBe(bytes.length);
    expect(made.toBuffer().equals(bytes)).toBe(true);
    // 11 chunks over two slabs of 8: two views.
    expect(made.views.map((view) => view.length)).toEqual([8 * CHUNK, 2 * CHUNK + 7]);
    expect(made.chunkBytes).toBe(11 * CHUNK);
    expect(Buffer.concat(made.range(CHUNK - 3, 9 * CHUNK + 2)).equals(bytes.subarray(CHUNK - 3, 9 * CHUNK + 2))).toBe(true);
  });

  it('writes a body as it comes, in pieces of any size', () => {
    const pool = new SlabPool(64 * CHUNK, CHUNK);
    const writer = new SlabWriter(pool);
    const pieces = [Buffer.from('a'.repeat(10)), Buffer.from('b'.repeat(200)), Buffer.alloc(0), Buffer.from('c'.repeat(CHUNK))];
    for (const piece of pieces) expect(writer.write(piece)).toBe(true);
    expect(writer.copy().equals(Buffer.concat(pieces))).toBe(true);
    expect(writer.seal().toBuffer().equals(Buffer.concat(pieces))).toBe(true);
  });

  it('reserves room to be filled later (a read from a file), or says there is none', () => {
    const pool = new SlabPool(8 * CHUNK, CHUNK, 8 * CHUNK);
    const writer = new SlabWriter(pool);
    expect(writer.reserve(5 * CHUNK + 3)).toBe(true);
    const reserved = writer.seal();
    expect([reserved.length, reserved.views.length, pool.usedBytes]).toEqual([5 * CHUNK + 3, 1, 6 * CHUNK]);
    reserved.views[0]!.fill(7);
    expect(reserved.toBuffer().equals(Buffer.alloc(5 * CHUNK + 3, 7))).toBe(true);
    const tooMuch = new SlabWriter(pool);
    expect(tooMuch.reserve(3 * CHUNK)).toBe(false);
    tooMuch.discard();
    reserved.release();
    expect(pool.usedBytes).toBe(0);
  });

  it('never lets two live bodies share a byte, however they are freed and refilled', () => {
    const pool = new SlabPool(200 * CHUNK, CHUNK, 16 * CHUNK);
    const live = new Map<number, { body: SlabBody; length: number }>();
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let n = 0; n < 2_000; n++) {
      const length = 1 + random(6 * CHUNK);
      // Free random bodies until the new one fits.
      while (pool.capacityBytes - pool.usedBytes < length + CHUNK) {
        const keys = [...live.keys()];
        const key = keys[random(keys.length)]!;
        live.get(key)!.body.release();
        live.delete(key);
      }
      live.set(n, { body: body(pool, n, length), length });
      // Every live body still holds its own bytes.
      if (n % 50 === 0) for (const [m, { body: kept, length: l }] of live) expect(kept.toBuffer().equals(bytesOf(m, l)), `body ${m}`).toBe(true);
    }
    const chunks = [...live.values()].reduce((sum, { body: kept }) => sum + kept.chunkBytes, 0);
    expect(pool.usedBytes).toBe(chunks);
  });

  it('is not freed while a reader holds it: its chunks are not reused until the reader is done', () => {
    const pool = new SlabPool(4 * CHUNK, CHUNK);
    const read = body(pool, 1, 4 * CHUNK);
    read.acquire(); // a response sending it
    read.drop(); // the store evicts it
    expect(pool.outBytes).toBe(4 * CHUNK);
    expect(slabBodyOf(pool, bytesOf(2, CHUNK))).toBeUndefined();
    expect(read.toBuffer().equals(bytesOf(1, 4 * CHUNK))).toBe(true);
    read.release(); // the response is done
    expect([pool.usedBytes, pool.outBytes]).toEqual([0, 0]);
    expect(body(pool, 2, 4 * CHUNK).toBuffer().equals(bytesOf(2, 4 * CHUNK))).toBe(true);
  });

  it('refuses to be read or released once freed', () => {
    const pool = new SlabPool(4 * CHUNK, CHUNK);
    const made = body(pool, 1, CHUNK);
    made.release();
    expect(() => made.acquire()).toThrow(/released/);
    expect(() => made.release()).toThrow(/once too often/);
  });

  it('gives a discarded fill back to the pool', () => {
    const pool = new SlabPool(4 * CHUNK, CHUNK);
    const writer = new SlabWriter(pool);
    writer.write(bytesOf(1, 3 * CHUNK));
    expect(writer.write(bytesOf(1, 2 * CHUNK))).toBe(false);
    writer.discard();
    expect(pool.usedBytes).toBe(0);
  });
});
