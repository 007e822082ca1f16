import { describe, expect, it } from 'vitest';
import {
  canonicalString,
  candidateStrings,
  matchesAnyCandidate,
  sign,
  type SignedRequestParts,
} from '../../../src/signing/index.js';

const DATE = '2026-11-22 08:00:00';

function parts(path: string, query: string, method = 'GET'): SignedRequestParts {
  return { method, path, query, requestDate: DATE };
}

const VOLUME =
  '/subscriptions/S/endpoints/E/volume';
const UNSORTED =
  'startTime=2026-11-21T00%3A00%3A00Z&apiVersion=1.0&granularity=PerHour&endTime=2026-11-22T00%3A00%3A00Z';

describe('candidateStrings', () => {
  const examples: SignedRequestParts[] = [
    parts('/subscriptions/S/endpoints', 'apiVersion=1.0'),
    parts('/subscriptions/S/endpoints', ''),
    parts('/Subscriptions/S/Endpoints/E%20x', 'b=2&A=1&a=3&foo=&c=%3A'),
    parts(VOLUME, UNSORTED),
  ];

  it.each(examples.map((p) => [`${p.path}?${p.query}`, p] as const))('has no duplicates: %s', (_name, p) => {
    const candidates = candidateStrings(p);
    expect(new Set(candidates).size).toBe(candidates.length);
  });

  it('stays a small set even when every variant applies', () => {
    // 4 paths (as sent/decoded x as is/lower-cased) x 12 query lines (raw/decoded x blanks
    // kept/dropped x 3 orders) at most.
    const candidates = candidateStrings(parts('/Subscriptions/S/Endpoints/E%20x', 'b=%3A&A=1&a=x+y&foo=&C=2'));
    expect(candidates.length).toBeGreaterThan(1);
    expect(candidates.length).toBeLessThanOrEqual(48);
  });

  it('is a single string for a request no sample can write differently', () => {
    expect(candidateStrings(parts('/subscriptions/s/endpoints', 'apiVersion=1.0'))).toEqual([
      `/subscriptions/s/endpoints\r\napiVersion:1.0\r\n${DATE}\r\nGET`,
    ]);
  });

  it('contains the contract canonical string', () => {
    for (const p of examples) expect(candidateStrings(p)).toContain(canonicalString(p));
  });

  it('contains the lower-cased path (C# sample)', () => {
    const candidates = candidateStrings(parts('/subscriptions/5DD0413D/Endpoints/E', 'apiVersion=1.0'));
    expect(candidates).toContain(`/subscriptions/5dd0413d/endpoints/e\r\napiVersion:1.0\r\n${DATE}\r\nGET`);
    expect(candidates).toContain(`/subscriptions/5DD0413D/Endpoints/E\r\napiVersion:1.0\r\n${DATE}\r\nGET`);
  });

  it('contains the percent-decoded path (Go sample) and the path as sent (Python, Java)', () => {
    const candidates = candidateStrings(parts('/subscriptions/S/endpoints/my%20endpoint', 'apiVersion=1.0'));
    expect(candidates).toContain(`/subscriptions/S/endpoints/my endpoint\r\napiVersion:1.0\r\n${DATE}\r\nGET`);
    expect(candidates).toContain(`/subscriptions/S/endpoints/my%20endpoint\r\napiVersion:1.0\r\n${DATE}\r\nGET`);
  });

  it('contains the query in URL order (Python), sorted and decoded (Go), sorted and as sent (Java)', () => {
    const candidates = candidateStrings(parts(VOLUME, UNSORTED));
    const line = (q: string) => `${VOLUME}\r\n${q}\r\n${DATE}\r\nGET`;
    expect(candidates).toContain(
      line('startTime:2026-11-21T00:00:00Z, apiVersion:1.0, granularity:PerHour, endTime:2026-11-22T00:00:00Z'),
    );
    expect(candidates).toContain(
      line('apiVersion:1.0, endTime:2026-11-22T00:00:00Z, granularity:PerHour, startTime:2026-11-21T00:00:00Z'),
    );
    expect(candidates).toContain(
      line('apiVersion:1.0, endTime:2026-11-22T00%3A00%3A00Z, granularity:PerHour, startTime:2026-11-21T00%3A00%3A00Z'),
    );
  });

  it('contains the case-insensitive name order (C# string.Compare) besides the ordinal one', () => {
    const candidates = candidateStrings(parts('/s', 'StartTime=1&apiVersion=1.0&Granularity=PerDay'));
    expect(candidates).toContain(`/s\r\napiVersion:1.0, Granularity:PerDay, StartTime:1\r\n${DATE}\r\nGET`);
    expect(candidates).toContain(`/s\r\nGranularity:PerDay, StartTime:1, apiVersion:1.0\r\n${DATE}\r\nGET`);
  });

  it('contains blank parameters both kept (Go, C#) and dropped (Python, Java)', () => {
    const candidates = candidateStrings(parts('/s', 'apiVersion=1.0&foo='));
    expect(candidates).toContain(`/s\r\napiVersion:1.0, foo:\r\n${DATE}\r\nGET`);
    expect(candidates).toContain(`/s\r\napiVersion:1.0\r\n${DATE}\r\nGET`);
  });

  it('decodes + as a space in query values', () => {
    const candidates = candidateStrings(parts('/s', 'apiVersion=1.0&note=a+b%20c'));
    expect(candidates).toContain(`/s\r\napiVersion:1.0, note:a b c\r\n${DATE}\r\nGET`);
  });

  it('signs a repeated name with its first value only', () => {
    const candidates = candidateStrings(parts('/s', 'apiVersion=1.0&x=1&x=2'));
    expect(candidates).toContain(`/s\r\napiVersion:1.0, x:1\r\n${DATE}\r\nGET`);
    expect(candidates.some((c) => c.includes('x:2'))).toBe(false);
  });

  it('upper-cases the method in every candidate', () => {
    for (const candidate of candidateStrings(parts('/S', 'b=1&a=2', 'delete'))) {
      expect(candidate.endsWith(`\r\n${DATE}\r\nDELETE`)).toBe(true);
    }
  });

  it('uses the date header verbatim, in whichever format it came', () => {
    const rfc = candidateStrings({ method: 'GET', path: '/s', query: 'apiVersion=1.0', requestDate: '2026-11-22T08:00:00Z' });
    expect(rfc).toEqual([`/s\r\napiVersion:1.0\r\n2026-11-22T08:00:00Z\r\nGET`]);
  });

  describe('the variant without the query line (C# sample)', () => {
    const threeLine = (path: string) => `${path}\r\n${DATE}\r\nGET`;
    const emptyLine = (path: string) => `${path}\r\n\r\n${DATE}\r\nGET`;

    it('is there, with the empty-line variant, when the request has no query', () => {
      const candidates = candidateStrings(parts('/subscriptions/S/endpoints', ''));
      expect(candidates).toContain(threeLine('/subscriptions/S/endpoints'));
      expect(candidates).toContain(emptyLine('/subscriptions/S/endpoints'));
      expect(candidates).toContain(threeLine('/subscriptions/s/endpoints'));
    });

    it('is not there when the query has parameters', () => {
      const candidates = candidateStrings(parts('/subscriptions/S/endpoints', 'apiVersion=1.0'));
      expect(candidates).not.toContain(threeLine('/subscriptions/S/endpoints'));
      for (const candidate of candidates) expect(candidate.split('\r\n')).toHaveLength(4);
    });

    it('is not there when the query has only blank parameters (C# still writes `foo:`)', () => {
      const candidates = candidateStrings(parts('/s', 'foo='));
      expect(candidates).toContain(`/s\r\nfoo:\r\n${DATE}\r\nGET`);
      expect(candidates).toContain(emptyLine('/s'));
      expect(candidates).not.toContain(threeLine('/s'));
    });
  });

  it('lets a client signature over any candidate verify, and nothing else', () => {
    const p = parts('/Subscriptions/S/Endpoints', 'b=2&a=1');
    const candidates = candidateStrings(p);
    for (const candidate of candidates) {
      expect(matchesAnyCandidate('key', candidates, sign('key', candidate))).toBe(true);
    }
    expect(matchesAnyCandidate('key', candidates, sign('key', `/Subscriptions/S/Endpoints\r\na:1\r\n${DATE}\r\nGET`))).toBe(
      false,
    );
  });
});

describe('candidate order', () => {
  it('puts the contract canonical string first, so a request signed by it costs one HMAC', () => {
    for (const query of ['apiVersion=1.0', 'startTime=2017-05-02T06%3A00%3A00Z&apiVersion=1.0&granularity=PerHour', '']) {
      const parts = { method: 'get', path: '/subscriptions/S/endpoints/E/volume', query, requestDate: DATE };
      expect(candidateStrings(parts)[0]).toBe(canonicalString(parts));
    }
  });
});
