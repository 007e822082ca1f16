/** Purge records as the disk tier's journal keeps them: listed and applied again, they cover the same. */
import { describe, expect, it } from 'vitest';
import { PurgeRecords } from '../../../src/edge/cache/purge-records.js';

const PATHS = ['/a.png', '/img/a.png', '/img/sub/b.png', '/imgx/c.png', '/css/d.css'];

function coverage(records: PurgeRecords, endpointId: string, generation: number): boolean[] {
  return PATHS.map((path) => records.covers(endpointId, path, generation));
}

describe('PurgeRecords list and apply', () => {
  it('rebuild records that cover exactly what the originals cover', () => {
    const original = new PurgeRecords();
    original.file('ep-a', '/a.png', 3);
    original.directory('ep-a', '/img/sub/', 5);
    original.directory('ep-b', '/', 7);
    original.file('ep-c', '/css/d.css', 2);
    const copy = new PurgeRecords();
    for (const record of original.list()) copy.apply(record);
    for (const endpointId of ['ep-a', 'ep-b', 'ep-c', 'ep-d']) {
      for (const generation of [0, 2, 4, 6, 8]) expect(coverage(copy, endpointId, generation)).toEqual(coverage(original, endpointId, generation));
    }
    expect(copy.size).toBe(original.size);
  });

  it('a purge of everything covers every endpoint, replaces the other records, and is pruned like them', () => {
    const records = new PurgeRecords();
    records.file('ep-a', '/a.png', 1);
    records.all(2);
    expect(records.list()).toEqual([{ kind: 'all', generation: 2 }]);
    expect(coverage(records, 'any', 1)).toEqual(PATHS.map(() => true));
    expect(coverage(records, 'any', 2)).toEqual(PATHS.map(() => false));
    records.prune(2);
    expect([records.size, records.list()]).toEqual([0, []]);
  });
});

describe('PurgeRecords for tags', () => {
  it('cover an object by any of its tags, on its endpoint, until pruned; list and apply rebuild them', () => {
    const records = new PurgeRecords();
    records.tag('ep-a', 'red', 4);
    expect(records.covers('ep-a', '/x', 3, ['blue', 'red'])).toBe(true);
    expect(records.covers('ep-a', '/x', 4, ['red'])).toBe(false);
    expect(records.covers('ep-a', '/x', 3, ['blue'])).toBe(false);
    expect(records.covers('ep-a', '/x', 3)).toBe(false);
    expect(records.covers('ep-b', '/x', 3, ['red'])).toBe(false);
    const copy = new PurgeRecords();
    for (const record of records.list()) copy.apply(record);
    expect(copy.list()).toEqual([{ kind: 'tag', endpointId: 'ep-a', tag: 'red', generation: 4 }]);
    expect(copy.covers('ep-a', '/x', 3, ['red'])).toBe(true);
    records.prune(4);
    expect([records.size, records.covers('ep-a', '/x', 3, ['red'])]).toEqual([0, false]);
  });

  it('go with a purge of the whole endpoint', () => {
    const records = new PurgeRecords();
    records.tag('ep-a', 'red', 1);
    records.endpoint('ep-a', 2);
    expect(records.list()).toEqual([{ kind: 'directory', endpointId: 'ep-a', path: '/', generation: 2 }]);
  });
});
