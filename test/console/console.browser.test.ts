/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against a real
 * embedded server started in this process: one server, one browser, one page, driven as a user
 * would. The fleet page goes to a second server at the end: `mooncdn api` (the scaled shape's
 * API, on PostgreSQL) with an operator token. Each page is checked with axe-core and saved as a
 * screenshot in test-artifacts/console/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleetConfig } from '../../src/config/fleet-config.js';
import { loadServeConfig } from '../../src/config/serve-config.js';
import type { EdgeList } from '../../src/contract/schemas/fleet.js';
import { SecretBox } from '../../src/domain/secret-box.js';
import { startApiProcess, type RunningApi } from '../../src/server/api-process.js';
import { startEmbeddedServer, type RunningServer } from '../../src/server/embedded.js';
import { Store } from '../../src/store/store.js';
import { edgeGet } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { SignedClient } from '../support/signed-client.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');
const CREDENTIALS = { subscriptionId: '3f9a2c41-7d1e-4b6a-9c2f-5e8d0a1b7c63', keyId: 'console-key', keyValue: 'c'.repeat(40) };
const DOMAIN = 'console.example.com';
const MEGABYTE = 'x'.repeat(1_000_000);
const XSS_REFERER = '<img/src=x/onerror=window.__xss=1>';
const XSS_PATH = '/<svg/onload=window.__xss=2>';
const OPERATOR_TOKEN = 'operator-token-for-the-console-0123456789';
// The browser's globals, for the functions that run in the page (the project's lib has no DOM).
declare const window: any, document: any, location: any, sessionStorage: any, localStorage: any;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let dir: string;
let origin: OriginServer;
let server: RunningServer;
let client: SignedClient;
let browser: BrowserContext;
let page: Page;
let endpointId: string;
// The fleet's: `mooncdn api` with an operator token, its database, and the store as its workers write it.
let database: TestDatabase | undefined;
let operatorApi: RunningApi | undefined;
let fleetStore: Store | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it).`);
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'mooncdn-console-'));
  origin = await OriginServer.start();
  origin.on('/big.bin', { body: MEGABYTE, headers: { 'cache-control': 'max-age=3600' } });
  origin.otherwise({ body: 'hello', headers: { 'cache-control': 'max-age=600' } });
  const config = loadServeConfig(
    { port: '0', edgePort: '0', edgeTlsPort: '0', dataDir: join(dir, 'data'), meterFlushMs: '100' },
    { MOONCDN_SUBSCRIPTION_ID: CREDENTIALS.subscriptionId, MOONCDN_KEY_ID: CREDENTIALS.keyId, MOONCDN_KEY_VALUE: CREDENTIALS.keyValue },
  );
  [server, browser] = await Promise.all([
    startEmbeddedServer(config, pino({ level: 'silent' })),
    // A temporary profile (--user-data-dir), which playwright wants given this way.
    chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-quic',
        '--no-first-run',
        '--disable-sync',
      ],
    }),
  ]);
  client = new SignedClient(server.apiUrl, CREDENTIALS);
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(10_000);
  // Every CSP violation the console causes, recorded from before its first script runs.
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (event: any) => w.__csp.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await fleetStore?.close();
  await operatorApi?.close();
  await database?.drop();
  await client?.close();
  await server?.close();
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** No serious or critical axe-core violation on the page as it is now; a screenshot of it. */
async function checkPage(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), name).toEqual([]);
}

async function go(hash: string, heading: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('the web console', () => {
  it('is served with a CSP that allows no inline script and no framing', async () => {
    const response = await fetch(`${server.apiUrl}/console/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await fetch(`${server.apiUrl}/console/nothing.js`)).status).toBe(404);
    const root = await fetch(`${server.apiUrl}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/console/');
  });

  it("refuses a wrong key with the API's own message, and keeps nothing", async () => {
    const expected = (await new SignedClient(server.apiUrl, { ...CREDENTIALS, keyValue: 'w'.repeat(40) }).sub('GET', '/endpoints')).body.ErrorInfo;
    await page.goto(`${server.apiUrl}/console/`);
    await checkPage('sign-in');
    await page.getByLabel('Subscription id').fill(CREDENTIALS.subscriptionId);
    await page.getByLabel('Key id').fill(CREDENTIALS.keyId);
    await page.getByLabel('Key value').fill('w'.repeat(40));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(expected.Message);
    expect(await alert.textContent()).toContain('WrongSignature');
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'sign-in-wrong-key.png') });
  });

  it('signs in with the right key, kept in sessionStorage only and never in the URL', async () => {
    await page.getByLabel('Key value').fill(CREDENTIALS.keyValue);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    const stored = await page.evaluate(() => ({ session: JSON.stringify({ ...sessionStorage }), local: localStorage.length, cookies: document.cookie, url: location.href }));
    expect(stored.session).toContain(CREDENTIALS.keyValue);
    expect(stored).toMatchObject({ local: 0, cookies: '' });
    expect(stored.url).not.toContain(CREDENTIALS.keyValue);
  });

  it('creates an endpoint and follows its operation until the endpoint is Normal', async () => {
    await page.getByLabel('Custom domain').fill(DOMAIN);
    await page.getByLabel('Origin addresses (one per line)').fill(origin.address);
    await page.getByRole('button', { name: 'Create' }).click();
    const operation = page.locator('.operation');
    await expect.poll(() => operation.locator('.operation-status').textContent(), { timeout: 10_000 }).toBe('Succeeded');
    const row = page.locator('tr', { hasText: DOMAIN });
    await expect.poll(() => row.locator('.lifetime').textContent()).toBe('Normal');
    endpointId = (await row.getAttribute('data-endpoint-id'))!;
    expect(endpointId).toMatch(/^[0-9a-f-]{36}$/);
    await checkPage('endpoints');
  });

  it('purges a file and a directory and shows each URL and the operation reach the end', async () => {
    await go(`#/endpoints/${endpointId}/content`, DOMAIN);
    await page.getByLabel('URLs, one per line').fill(`http://${DOMAIN}/a.css\nhttp://${DOMAIN}/img/`);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('.operation .operation-status').textContent(), { timeout: 10_000 }).toBe('Succeeded');
    await expect.poll(() => page.locator('td.item-status').allTextContents()).toEqual(['Succeed', 'Succeed']);
    expect(await page.locator('table.urls td:first-child').allTextContents()).toEqual([`http://${DOMAIN}/a.css`, `http://${DOMAIN}/img/`]);
    // Each edge's part, as the API answers it: the embedded edge applied it.
    await expect.poll(() => page.locator('table.edges td.edge-status').allTextContents()).toEqual(['Succeeded']);
    expect(await page.locator('table.edges td:first-child').allTextContents()).toEqual(['edge-embedded']);
    const operationId = await page.locator('.operation').getAttribute('data-operation-id');
    const purge = await client.sub('GET', `/endpoints/${endpointId}/purges/${operationId}`);
    expect(purge.body.Edges).toEqual([{ EdgeId: 'edge-embedded', Status: 'Succeeded', Message: null }]);
    await checkPage('purge');
  });

  it('purges by cache tag, softly (extensions), and shows each tag with its status and that the purge was soft', async () => {
    await page.getByLabel('URLs, one per line').fill('');
    await page.getByLabel('Cache tags, one per line').fill('red\nblue');
    await page.getByRole('checkbox', { name: /^Soft/ }).check();
    await page.getByRole('button', { name: 'Send' }).click();
    const operationId = await page.locator('.operation').getAttribute('data-operation-id');
    await expect.poll(() => page.locator('.operation .operation-status').textContent(), { timeout: 10_000 }).toBe('Succeeded');
    await expect.poll(() => page.locator('table.urls tbody tr').allTextContents()).toEqual(['redtagSucceed', 'bluetagSucceed']);
    expect(await page.locator('.soft-purge').textContent()).toMatch(/^Soft purge: .*marked stale, not dropped/);
    // What the console sent, as the API keeps it.
    const purge = await client.sub('GET', `/endpoints/${endpointId}/purges/${operationId}`);
    expect([purge.body.Tags, purge.body.Soft, purge.body.Files]).toEqual([[{ Tag: 'red', Status: 'Succeed' }, { Tag: 'blue', Status: 'Succeed' }], true, []]);
    // Preloads take no tags: the fields go away.
    await page.getByRole('radio', { name: 'Preload' }).check();
    expect(await page.getByLabel('Cache tags, one per line').count()).toBe(0);
    await page.getByRole('radio', { name: /^Purge/ }).check();
    await checkPage('purge-tags');
  });

  it("shows the API's validation error beside the cache rule field it concerns", async () => {
    await go(`#/endpoints/${endpointId}/cache-rules`, DOMAIN);
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Rule 1 TTL').fill('soon');
    await page.getByRole('button', { name: 'Save cache rules' }).click();
    const problem = page.locator('#rule-0-ttl-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/Rules\[0\]\.TTL/);
    expect(await page.getByLabel('Rule 1 TTL').getAttribute('aria-invalid')).toBe('true');
    // The JSON beside holds the same draft.
    expect(JSON.parse(await page.getByLabel('The same, as JSON').inputValue()).Rules).toEqual([{ Type: 'Suffix', Items: [], TTL: 'soon' }]);
    await checkPage('cache-rules');
  });

  it('renders hostile referer and path strings as inert text', async () => {
    const accepted = await client.sub('PUT', `/endpoints/${endpointId}/accesscontrol`, {
      RefererControl: { Enabled: true, PathPatterns: [XSS_PATH], Referers: [XSS_REFERER], RefererControlType: 'BlockList' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect((await client.waitForOperation(endpointId, accepted.body.AsyncInfo.TaskTrackId)).Status).toBe('Succeeded');
    await go(`#/endpoints/${endpointId}/access-control`, DOMAIN);
    await expect.poll(() => page.getByLabel('Referers (one per line)').inputValue()).toBe(XSS_REFERER);
    expect(await page.getByLabel('Path patterns (one per line)').inputValue()).toBe(XSS_PATH);
    expect(await page.getByLabel('The same, as JSON').inputValue()).toContain(XSS_REFERER);
    expect(await page.evaluate(() => ({ xss: (window as unknown as { __xss?: number }).__xss, img: document.querySelectorAll('img, svg:not(.uplot svg)').length }))).toEqual({ xss: undefined, img: 0 });
    await checkPage('access-control');
  });

  it('lists the operations, newest first, and filters them by type', async () => {
    await go('#/operations', 'Operations');
    await expect.poll(() => page.locator('table.operations tbody tr td:nth-child(2)').allTextContents()).toEqual(['UpdateAccessControl', 'Purge', 'Purge', 'CreateEndpoint']);
    await page.getByLabel('Type').selectOption('Purge');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('table.operations tbody tr td:nth-child(2)').allTextContents()).toEqual(['Purge', 'Purge']);
    await page.locator('table.operations tbody button').first().click();
    expect(await page.locator('tr.detail').textContent()).toContain(endpointId);
    await checkPage('operations');
  });

  it('charts the traffic the edge really served: CDN and origin, totals and hit ratio', async () => {
    // One miss (1 MB from the origin) and two hits: 3 MB to clients.
    for (let i = 0; i < 3; i++) expect((await edgeGet(server.edgeHttpPort, DOMAIN, '/big.bin')).body.length).toBe(1_000_000);
    const now = Date.now();
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    await expect
      .poll(async () => (await client.sub('GET', `/endpoints/${endpointId}/volume?granularity=PerDay&startTime=${iso(now - 3_600_000)}&endTime=${iso(now + 60_000)}`)).body.TotalCdnVolumeInMB, { timeout: 10_000 })
      .toBe(3);
    await go(`#/traffic?endpoint=${endpointId}`, 'Traffic');
    await page.getByLabel('Range').selectOption('1h');
    await page.getByLabel('Granularity (volume)').selectOption('PerFiveMinutes');
    await expect.poll(() => page.locator('[data-figure="total-cdn"]').textContent()).toBe('3 MB');
    expect(await page.locator('[data-figure="total-origin"]').textContent()).toBe('1 MB');
    expect(await page.locator('[data-figure="hit-ratio"]').textContent()).toBe('66.7 %');
    // The CDN line is drawn on the canvas: pixels of its colour (#1f6feb).
    const drawn = await page.locator('#volume-chart canvas').evaluate((canvas: any) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 31) < 8 && Math.abs(data[i + 1]! - 111) < 8 && Math.abs(data[i + 2]! - 235) < 8 && data[i + 3]! > 200) count++;
      return count;
    });
    expect(drawn).toBeGreaterThan(20);
    await checkPage('traffic');
    // The whole subscription: the sum of its endpoints (one here).
    await page.getByLabel('Endpoint').selectOption('');
    await expect.poll(() => page.locator('[data-figure="total-cdn"]').textContent()).toBe('3 MB');
    expect(await page.locator('#volume-chart canvas').count()).toBe(1);
  });

  it('shows the certificates page', async () => {
    await go('#/certificates', 'Certificates and HTTPS');
    await page.getByText('No certificate uploaded yet.').waitFor();
    await checkPage('certificates');
  });

  it('changes the host header, disables, enables and deletes the endpoint, each to the end of its operation', async () => {
    await go(`#/endpoints/${endpointId}`, DOMAIN);
    await checkPage('endpoint-settings');
    const ended = async (label: string) => {
      const tracker = page.locator('.operation', { hasText: label });
      await expect.poll(() => tracker.locator('.operation-status').textContent(), { timeout: 10_000 }).toBe('Succeeded');
    };
    await page.getByLabel('Host header').fill('origin-host.example.com');
    await page.getByRole('button', { name: 'Change host' }).click();
    await ended('Changing the host header');
    await page.getByRole('button', { name: 'Disable' }).click();
    await ended('Disabling');
    await expect.poll(() => page.locator('.endpoint-status').textContent()).toContain('disabled');
    await page.getByRole('button', { name: 'Enable' }).click();
    await ended('Enabling');
    await expect.poll(() => page.locator('.endpoint-status').textContent()).toContain('enabled');
    expect((await client.sub('GET', `/endpoints/${endpointId}`)).body.Settings.Host).toBe('origin-host.example.com');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    // When the deletion ends, the console goes back to the (now empty) list.
    await page.getByText('No endpoints yet: create one below.').waitFor({ timeout: 10_000 });
    expect((await client.sub('GET', `/endpoints/${endpointId}`)).status).toBe(404);
  });

  it('signs out, forgetting the key; the console caused no CSP violation throughout', async () => {
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to mooncdn' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("shows the fleet to an operator: the API's message for a wrong token, then each edge, read again every few seconds", async () => {
    // The embedded server has no operator routes: the page says so, and keeps no token.
    await go('#/fleet', 'Fleet');
    await page.getByLabel('Operator token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Show the fleet' }).click();
    await page.getByText('This API has no operator routes').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    // `mooncdn api` with an operator token, and the edges table as the workers write it from heartbeats.
    database = await createTestDatabase();
    const apiConfig = loadServeConfig(
      { port: '0', databaseUrl: database.url, dataDir: join(dir, 'api') },
      { MOONCDN_SUBSCRIPTION_ID: CREDENTIALS.subscriptionId, MOONCDN_KEY_ID: CREDENTIALS.keyId, MOONCDN_KEY_VALUE: CREDENTIALS.keyValue },
    );
    operatorApi = await startApiProcess(apiConfig, loadFleetConfig({}, { MOONCDN_OPERATOR_TOKEN: OPERATOR_TOKEN }), pino({ level: 'silent' }));
    fleetStore = await Store.open(apiConfig.store, new SecretBox(undefined));
    await fleetStore.edges.heartbeat({ id: 'edge-a', address: '10.0.0.1:8080', state: 'serving', appliedSeq: 42, logSeq: 42, features: ['purge-tags', 'purge-soft', 'purge-wildcards'] }, 60_000);
    await fleetStore.edges.heartbeat({ id: 'edge-b', address: '10.0.0.2:8080', state: 'syncing', appliedSeq: 30, logSeq: 42, features: [] }, 60_000);
    // A lease of 1 ms: run out by the time anyone asks, so fenced whatever it said.
    await fleetStore.edges.heartbeat({ id: 'edge-c', address: '10.0.0.3:8080', state: 'serving', appliedSeq: 40, logSeq: 42, features: [] }, 1);
    const edges = async (token: string): Promise<EdgeList & { ErrorInfo: { Type: string; Message: string } }> => (await fetch(`${operatorApi!.apiUrl}/edges`, { headers: { authorization: `Bearer ${token}` } })).json() as never;
    const refused = (await edges('wrong-token-0123456789')).ErrorInfo;
    expect(refused.Type).toBe('InvalidAuthorizationHeader');

    await page.goto(`${operatorApi.apiUrl}/console/#/fleet`);
    await page.getByRole('heading', { level: 1, name: 'Fleet' }).waitFor();
    await page.getByLabel('Operator token').fill('wrong-token-0123456789');
    await page.getByRole('button', { name: 'Show the fleet' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(refused.Message);
    expect(await alert.textContent()).toContain('InvalidAuthorizationHeader');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel('Operator token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Show the fleet' }).click();
    const cells = (column: number) => page.locator(`table.fleet tbody tr > :nth-child(${column})`).allTextContents();
    await expect.poll(() => cells(1)).toEqual(['edge-a', 'edge-b', 'edge-c']);
    const listed = (await edges(OPERATOR_TOKEN)).Edges;
    expect(listed.map((edge) => edge.State)).toEqual(['serving', 'syncing', 'fenced']);
    expect(await cells(2)).toEqual(listed.map((edge) => edge.Address));
    expect(await cells(3)).toEqual(listed.map((edge) => edge.State));
    expect(await cells(5)).toEqual(listed.map((edge) => String(edge.Lag)));
    // What each edge can do; edge-b and edge-c name nothing, as an edge older than features.
    expect(await cells(8)).toEqual(['purge-tags, purge-soft, purge-wildcards', ...['edge-b', 'edge-c'].map(() => 'none (older mooncdn: tag, soft and wildcard purges fail on it)')]);
    expect(await page.locator('.fleet-summary').textContent()).toBe('3 edges: 1 serving, 1 syncing, 1 fenced');
    const stored = await page.evaluate(() => ({ session: JSON.stringify({ ...sessionStorage }), url: location.href }));
    expect(stored.session).toContain(OPERATOR_TOKEN);
    expect(stored.url).not.toContain(OPERATOR_TOKEN);
    await checkPage('fleet');

    // edge-b catches up: the page shows it at its next reading, with no reload.
    await fleetStore.edges.heartbeat({ id: 'edge-b', address: '10.0.0.2:8080', state: 'serving', appliedSeq: 42, logSeq: 42, features: [] }, 60_000);
    await expect.poll(() => page.locator('tr[data-edge-id="edge-b"] .edge-state').textContent(), { timeout: 10_000 }).toBe('serving');
    expect(await page.locator('tr[data-edge-id="edge-b"] .edge-lag').textContent()).toBe('0');
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);

    await page.getByRole('button', { name: 'Forget the operator token' }).click();
    await page.getByLabel('Operator token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });
});
