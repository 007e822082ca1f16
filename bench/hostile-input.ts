/**
 * The CPU one hostile but well-formed input costs, in the functions that check it (issue 9):
 * a purge of 100 URLs of 2,048 characters encoded as deep as they allow (all valid, so each is
 * checked in full); a certificate upload
 * of a megabyte of BEGIN lines; a referer pattern of many stars against a long Referer. Each
 * case runs R times; the median is printed. A case that never ends is what this guards against:
 * run it under `timeout`, one case at a time (ONLY: a word of its name).
 *
 *   npx tsx bench/hostile-input.ts [R=5] [ONLY]
 */
import { parseCertificateUpload } from '../src/domain/certificate.js';
import { parsePurgeRequest } from '../src/domain/content-request.js';
import { compileAccess } from '../src/edge/policy/access.js';

const R = Number(process.argv[2] ?? 5);
const ONLY = process.argv[3] ?? '';
const DOMAIN = 'cdn.example.com';

function median(run: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < R; i++) {
    const started = performance.now();
    try {
      run();
    } catch {
      // refused, as it should be: the time to refuse is what counts
    }
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(R / 2)]!;
}

const prefix = `http://${DOMAIN}/`;
// "%2525...41" is "A": valid, so every one of the 100 URLs is checked in full.
const deepest = `${prefix}%${'25'.repeat(Math.floor((2048 - prefix.length - 3) / 2))}41`;
const cases: Array<[string, () => void]> = [
  ['purge of 100 URLs, each 2,048 characters of "%25...41"', () => parsePurgeRequest({ Files: Array(100).fill(deepest) }, DOMAIN, 100)],
  ['certificate upload of 1 MiB of BEGIN lines', () => parseCertificateUpload('-----BEGIN CERTIFICATE-----'.repeat(38_000), 'x', Date.now())],
  ['referer "http*://*a*a*a*a*a*a*b" against a Referer of 10,000 "a"s', () => {
    const access = compileAccess({ forbiddenIps: [], refererControl: { enabled: true, type: 'AllowList', pathPatterns: [], referers: ['http*://*a*a*a*a*a*a*b'] } });
    access.refererAllowed('/a.jpg', `http://${'a'.repeat(10_000)}`);
  }],
  ['path pattern "/*/*/*.jpg" against a path of 6 KB', () => {
    const access = compileAccess({ forbiddenIps: [], refererControl: { enabled: true, type: 'AllowList', pathPatterns: ['/*/*/*.jpg'], referers: ['ok.example'] } });
    access.refererAllowed(`/${'a/'.repeat(3_000)}x.png`, 'https://evil.example/');
  }],
  ['referer "*a*a*a*a*a*a*a*a*a*a*b" against a 36-character host', () => {
    const access = compileAccess({ forbiddenIps: [], refererControl: { enabled: true, type: 'AllowList', pathPatterns: [], referers: ['*a*a*a*a*a*a*a*a*a*a*b'] } });
    access.refererAllowed('/a.jpg', `https://${'a'.repeat(36)}/`);
  }],
];
for (const [name, run] of cases.filter(([name]) => name.includes(ONLY))) console.log(`${name}: ${median(run).toFixed(1)} ms`);
