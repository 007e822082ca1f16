import { describe, expect, it } from 'vitest';
import { resolveRange } from '../../../src/edge/policy/range.js';

const SIZE = 1000;
const ETAG = '"v1"';
const LAST_MODIFIED = 'Sun, 01 Mar 2026 10:00:00 GMT';
const cached = { etag: ETAG, 'last-modified': LAST_MODIFIED };

const range = (value: string | undefined, extra: Record<string, string> = {}, size = SIZE, response: Record<string, string> = cached) =>
  resolveRange(value === undefined ? extra : { range: value, ...extra }, size, response);

describe('resolveRange: single byte ranges (RFC 9110 §14.1.2)', () => {
  it('no Range header means the whole body', () => {
    expect(range(undefined)).toEqual({ kind: 'whole' });
  });

  it('a first-last range gives those bytes, both inclusive', () => {
    expect(range('bytes=0-99')).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(range('bytes=500-500')).toEqual({ kind: 'partial', start: 500, end: 500 });
  });

  it('an open range runs to the end', () => {
    expect(range('bytes=900-')).toEqual({ kind: 'partial', start: 900, end: 999 });
  });

  it('a last position past the end is cut to the end', () => {
    expect(range('bytes=990-5000')).toEqual({ kind: 'partial', start: 990, end: 999 });
  });

  it('§14.1 the range unit is case-insensitive', () => {
    expect(range('Bytes=0-9')).toEqual({ kind: 'partial', start: 0, end: 9 });
  });
});

describe('resolveRange: suffix ranges (RFC 9110 §14.1.2)', () => {
  it('gives the last N bytes', () => {
    expect(range('bytes=-100')).toEqual({ kind: 'partial', start: 900, end: 999 });
  });

  it('a suffix longer than the body gives the whole body as a range', () => {
    expect(range('bytes=-5000')).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('a suffix of zero bytes is unsatisfiable', () => {
    expect(range('bytes=-0')).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('resolveRange: unsatisfiable ranges (RFC 9110 §15.5.17)', () => {
  it('a first position at or past the end', () => {
    expect(range('bytes=1000-')).toEqual({ kind: 'unsatisfiable' });
    expect(range('bytes=1000-2000')).toEqual({ kind: 'unsatisfiable' });
  });

  it('a last position before the first', () => {
    expect(range('bytes=10-5')).toEqual({ kind: 'unsatisfiable' });
  });

  it('any first-last range of an empty body', () => {
    expect(range('bytes=0-', {}, 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('resolveRange: what is answered whole (RFC 9110 §14.2)', () => {
  it.each(['bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b', 'bytes 0-1', 'bytes=0-1-2'])('%j is ignored', (value) => {
    expect(range(value)).toEqual({ kind: 'whole' });
  });

  it('a suffix range of an empty body is answered whole, never as a 206 of "bytes 0--1/0"', () => {
    expect(range('bytes=-10', {}, 0)).toEqual({ kind: 'whole' });
  });
});

describe('resolveRange: If-Range (RFC 9110 §13.1.5)', () => {
  it('a matching ETag gives the range', () => {
    expect(range('bytes=0-9', { 'if-range': ETAG })).toEqual({ kind: 'partial', start: 0, end: 9 });
  });

  it('a different ETag gives the whole body', () => {
    expect(range('bytes=0-9', { 'if-range': '"v2"' })).toEqual({ kind: 'whole' });
  });

  it('uses the strong comparison: a weak tag never matches', () => {
    expect(range('bytes=0-9', { 'if-range': 'W/"v1"' }, SIZE, { etag: 'W/"v1"' })).toEqual({ kind: 'whole' });
    expect(range('bytes=0-9', { 'if-range': 'W/"v1"' })).toEqual({ kind: 'whole' });
  });

  it('the exact Last-Modified date gives the range', () => {
    expect(range('bytes=0-9', { 'if-range': LAST_MODIFIED })).toEqual({ kind: 'partial', start: 0, end: 9 });
  });

  it('another date gives the whole body', () => {
    expect(range('bytes=0-9', { 'if-range': 'Sun, 01 Mar 2026 11:00:00 GMT' })).toEqual({ kind: 'whole' });
  });

  it('a date cannot match a response without Last-Modified, nor a tag one without ETag', () => {
    expect(range('bytes=0-9', { 'if-range': LAST_MODIFIED }, SIZE, { etag: ETAG })).toEqual({ kind: 'whole' });
    expect(range('bytes=0-9', { 'if-range': ETAG }, SIZE, { 'last-modified': LAST_MODIFIED })).toEqual({ kind: 'whole' });
  });

  it('an empty If-Range matches nothing, even a response without validators', () => {
    expect(range('bytes=0-9', { 'if-range': '' }, SIZE, {})).toEqual({ kind: 'whole' });
  });

  it('If-Range does not turn a request without Range into a range', () => {
    expect(range(undefined, { 'if-range': ETAG })).toEqual({ kind: 'whole' });
  });
});
