/**
 * /console/: the built files only (the global setup builds them), public, with the security
 * headers; anything else below it is the contract's 404, a path that tries to climb out too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectError } from '../api/route-test-kit.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const get = (path: string) => harness.request('GET', path, { unsigned: true, apiVersion: false });

describe('the console route', () => {
  it('serves the page and its assets unsigned, with a CSP that forbids inline scripts and framing', async () => {
    for (const [path, type] of [
      ['/console/', 'text/html'],
      ['/console', 'text/html'],
      ['/console/app.js', 'text/javascript'],
      ['/console/app.css', 'text/css'],
    ] as const) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(String(response.headers['content-type'])).toContain(type);
      expect(response.headers['content-security-policy']).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await get('/console/')).text).toContain('<script type="module" src="/console/app.js"></script>');
  });

  it('leads / to the console', async () => {
    const response = await get('/');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/console/');
  });

  it.each(['/console/nothing.js', '/console/..%2Fpackage.json', '/console/%2e%2e%2f%2e%2e%2fpackage.json', '/console/index.html/x'])('%s is the contract 404', async (path) => {
    expectError(await get(path), 404, 'ParameterInvalid');
  });
});
