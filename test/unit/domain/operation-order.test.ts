import { describe, expect, it } from 'vitest';
import { purgeTouches } from '../../../src/domain/operation-order.js';

const file = (path: string) => ({ kind: 'file' as const, path });
const dir = (path: string) => ({ kind: 'directory' as const, path });

describe('purgeTouches', () => {
  it('a file purge touches the same path only', () => {
    expect(purgeTouches([file('/a.mp4')], ['/a.mp4'])).toBe(true);
    expect(purgeTouches([file('/a.mp4')], ['/a.mp4x', '/b/a.mp4', '/A.mp4'])).toBe(false);
  });

  it('a directory purge touches every path under it', () => {
    expect(purgeTouches([dir('/video/')], ['/video/a.mp4'])).toBe(true);
    expect(purgeTouches([dir('/video/')], ['/video/deep/a.mp4'])).toBe(true);
    expect(purgeTouches([dir('/')], ['/anything'])).toBe(true);
    expect(purgeTouches([dir('/video/')], ['/videos/a.mp4', '/video'])).toBe(false);
  });

  it('a wildcard purge touches the paths it matches (so it waits for earlier preloads of them)', () => {
    expect(purgeTouches([file('/*.mp4')], ['/video/deep/a.mp4'])).toBe(true);
    expect(purgeTouches([file('/*.mp4')], ['/a.mp4x', '/a.mp3'])).toBe(false);
    expect(purgeTouches([dir('/v/*/')], ['/v/1/a.mp4'])).toBe(true);
    expect(purgeTouches([dir('/v/*/')], ['/v/a.mp4'])).toBe(false);
  });

  it('a tag purge touches every preload: which tags a response carries is known only once fetched', () => {
    expect(purgeTouches([{ kind: 'tag', path: 'product-42' }], ['/unrelated.mp4'])).toBe(true);
    expect(purgeTouches([{ kind: 'tag', path: 'product-42' }], [])).toBe(false);
  });

  it('nothing fetched, nothing touched', () => {
    expect(purgeTouches([dir('/')], [])).toBe(false);
  });
});
