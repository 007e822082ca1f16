import { describe, expect, it } from 'vitest';
import { IoQueue } from '../../../src/edge/cache/io-queue.js';

describe('IoQueue', () => {
  it('runs at most its concurrency at once, in the order given, and settles each job as it settled', async () => {
    const queue = new IoQueue(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const jobs = Array.from({ length: 3000 }, (_, i) =>
      queue.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        if (i === 7) throw new Error('seven');
        return i * 2;
      }),
    );
    expect(queue.size).toBe(3000);
    const results = await Promise.allSettled(jobs);
    expect(most).toBe(2);
    expect(started).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(results[3]).toEqual({ status: 'fulfilled', value: 6 });
    expect(results[7]).toMatchObject({ status: 'rejected', reason: new Error('seven') });
    expect(queue.size).toBe(0);
  });
});
