import { describe, expect, it } from 'vitest';
import { MIN_PASS_SECONDS, PASS_SECONDS, PassMemory, passSecondsFor } from '../../../src/edge/pass-memory.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('PassMemory (hit-for-pass)', () => {
  it('passes a marked key until its time is up, then forgets it', () => {
    const memory = new PassMemory();
    memory.mark('k', 'ep', '/a', NOW, 30);
    expect(memory.passes('k', NOW)).toBe(true);
    expect(memory.passes('k', NOW + 29_999)).toBe(true);
    expect(memory.passes('k', NOW + 30_000)).toBe(false);
    expect(memory.size).toBe(0);
    expect(memory.passes('other', NOW)).toBe(false);
  });

  it(`keeps a marker between ${MIN_PASS_SECONDS} and ${PASS_SECONDS} seconds, whatever the response says`, () => {
    const memory = new PassMemory();
    memory.mark('short', 'ep', '/a', NOW, 0);
    memory.mark('long', 'ep', '/b', NOW, 86_400);
    expect(memory.passes('short', NOW + MIN_PASS_SECONDS * 1000 - 1)).toBe(true);
    expect(memory.passes('short', NOW + MIN_PASS_SECONDS * 1000)).toBe(false);
    expect(memory.passes('long', NOW + PASS_SECONDS * 1000 - 1)).toBe(true);
    expect(memory.passes('long', NOW + PASS_SECONDS * 1000)).toBe(false);
  });

  it('holds at most its capacity, forgetting the least recently marked first', () => {
    const memory = new PassMemory(2);
    memory.mark('a', 'ep', '/a', NOW);
    memory.mark('b', 'ep', '/b', NOW);
    memory.mark('a', 'ep', '/a', NOW); // marked again: now the most recent
    memory.mark('c', 'ep', '/c', NOW);
    expect(memory.size).toBe(2);
    expect([memory.passes('a', NOW), memory.passes('b', NOW), memory.passes('c', NOW)]).toEqual([true, false, true]);
  });

  it('forgets what a purge covers, on that endpoint only', () => {
    const memory = new PassMemory();
    memory.mark('1', 'ep', '/img/a.png', NOW);
    memory.mark('2', 'ep', '/img/b.png?x=1', NOW);
    memory.mark('3', 'ep', '/css/c.css', NOW);
    memory.mark('4', 'other', '/img/a.png', NOW);
    memory.forgetCovered('ep', (path) => path.startsWith('/img/'));
    expect(['1', '2', '3', '4'].map((key) => memory.passes(key, NOW))).toEqual([false, false, true, true]);
    memory.forget('3');
    expect(memory.passes('3', NOW)).toBe(false);
  });

  it("remembers a response for its own s-maxage or max-age, else for Varnish's 120 s", () => {
    expect(passSecondsFor({ 'cache-control': 'private, max-age=30' })).toBe(30);
    expect(passSecondsFor({ 'cache-control': 's-maxage=5, max-age=30' })).toBe(5);
    expect(passSecondsFor({ 'set-cookie': 'a=1' })).toBe(PASS_SECONDS);
  });
});
