/**
 * Signatures produced by the four official signing samples (Python, Java, C#, Go in
 * REST-API-v1.yaml), each running its own code: test/fixtures/signing/generate.sh runs them
 * over cases.tsv and commits the result as vectors.json. The server must accept every one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  candidateStrings,
  matchesAnyCandidate,
  parseAuthorizationHeader,
  parseRequestDate,
  isWithinSkew,
} from '../../../src/signing/index.js';

interface Vector {
  readonly sample: 'python' | 'java' | 'csharp' | 'go';
  readonly case: string;
  readonly method: string;
  readonly url: string;
  readonly requestDate: string;
  readonly keyId: string;
  readonly keyValue: string;
  readonly authorization: string;
  /** When the case was signed (generator input), to check the date header against skew. */
  readonly instant: string;
}

interface VectorFile {
  readonly vectors: readonly Vector[];
  readonly skipped: readonly { sample: string; case: string; reason: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/signing/vectors.json', import.meta.url), 'utf8'),
) as VectorFile;
const vectors = fixture.vectors;

const SKEW_MS = 15 * 60_000;

/** Path and raw query exactly as they appear in the URL, as a server sees them on the wire. */
function splitUrl(url: string): { path: string; query: string } {
  const target = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

function candidatesFor(vector: Vector): string[] {
  const { path, query } = splitUrl(vector.url);
  return candidateStrings({ method: vector.method, path, query, requestDate: vector.requestDate });
}

function signatureOf(vector: Vector): string {
  const parsed = parseAuthorizationHeader(vector.authorization);
  if (!parsed) throw new Error(`unparseable Authorization header in vector ${vector.sample}/${vector.case}`);
  return parsed.signature;
}

/** Replaces the character at `index` with a different one of the same kind. */
function changeOneChar(value: string, index: number): string {
  const c = value[index]!;
  const replacement = c === '0' ? '1' : c === 'a' ? 'b' : /[0-9A-F]/.test(c) ? '0' : 'a';
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

describe('official sample vectors (fixture)', () => {
  it('has vectors from every sample for the required cases', () => {
    const has = (sample: string, id: string) => vectors.some((v) => v.sample === sample && v.case === id);
    const required = [
      'get-simple',
      'volume-unsorted-pm',
      'volume-percent-encoded',
      'upper-case-path',
      'post-purge',
      'put-cacherules',
      'delete-endpoint',
      'blank-param',
    ];
    for (const sample of ['python', 'java', 'csharp', 'go']) {
      for (const id of required) expect(has(sample, id), `${sample}/${id}`).toBe(true);
    }
    expect(has('csharp', 'no-query')).toBe(true);
  });

  it('records that the Java sample cannot sign a URL without a query, and nothing else failed', () => {
    expect(fixture.skipped.map((s) => `${s.sample}/${s.case}`).sort()).toEqual([
      'java/no-query',
      'java/no-query-upper-case-post',
    ]);
  });

  it('carries each sample’s own date format, including the Java 12-hour clock', () => {
    const date = (sample: string, id: string) => vectors.find((v) => v.sample === sample && v.case === id)?.requestDate;
    expect(date('go', 'get-operation')).toBe('2026-11-22T08:00:00Z');
    expect(date('python', 'volume-unsorted-pm')).toBe('2026-11-22 15:42:17');
    expect(date('java', 'volume-unsorted-pm')).toBe('2026-11-22 03:42:17');
    expect(date('java', 'midnight-hour')).toBe('2026-11-23 12:05:00');
    expect(date('csharp', 'midnight-hour')).toBe('2026-11-23 00:05:00');
  });
});

describe.each(vectors.map((v) => [`${v.sample} ${v.case}`, v] as const))('%s', (_name, vector) => {
  it('is accepted by the verifier', () => {
    const parsed = parseAuthorizationHeader(vector.authorization);
    expect(parsed?.keyId).toBe(vector.keyId);
    expect(matchesAnyCandidate(vector.keyValue, candidatesFor(vector), signatureOf(vector))).toBe(true);
  });

  it('is rejected with one character of the signature changed', () => {
    const signature = signatureOf(vector);
    const candidates = candidatesFor(vector);
    expect(matchesAnyCandidate(vector.keyValue, candidates, changeOneChar(signature, 0))).toBe(false);
    expect(matchesAnyCandidate(vector.keyValue, candidates, changeOneChar(signature, 63))).toBe(false);
  });

  it('is rejected with one character of the key changed', () => {
    const key = changeOneChar(vector.keyValue, vector.keyValue.length - 2);
    expect(matchesAnyCandidate(key, candidatesFor(vector), signatureOf(vector))).toBe(false);
  });

  it('is rejected for another method', () => {
    const other = { ...vector, method: vector.method === 'GET' ? 'POST' : 'GET' };
    expect(matchesAnyCandidate(vector.keyValue, candidatesFor(other), signatureOf(vector))).toBe(false);
  });

  it('has a date header that parses and is within the skew window of when it was signed', () => {
    const parsed = parseRequestDate(vector.requestDate);
    expect(parsed).toBeDefined();
    expect(isWithinSkew(parsed!, Date.parse(vector.instant), SKEW_MS, true)).toBe(true);
  });
});

describe('Java 12-hour dates against the skew window', () => {
  const shifted = vectors.filter((v) => v.sample === 'java' && v.requestDate.slice(11, 19) !== v.instant.slice(11, 19));

  it('includes afternoon and midnight cases where the Java date is 12 hours off', () => {
    expect(shifted.map((v) => v.case)).toEqual(
      expect.arrayContaining(['volume-unsorted-pm', 'midnight-hour', 'put-cacherules']),
    );
  });

  it.each(shifted.map((v) => [v.case, v] as const))('%s is accepted only with the 12-hour rule on', (_id, vector) => {
    const parsed = parseRequestDate(vector.requestDate)!;
    const now = Date.parse(vector.instant);
    expect(isWithinSkew(parsed, now, SKEW_MS, true)).toBe(true);
    expect(isWithinSkew(parsed, now, SKEW_MS, false)).toBe(false);
  });
});
