/** `mooncdn webhook`: add one pointing at a real receiver, see a purge delivered, list, remove. */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/signing/index.js';
import { CliWorld, parseJson } from './cli-world.js';

const SECRET = 'a-webhook-secret-for-the-cli-test';

let world: CliWorld;
let receiver: Server;
const received: { signature: string; body: string }[] = [];

beforeAll(async () => {
  world = await CliWorld.start();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ signature: String(req.headers['mooncdn-signature']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await world?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('webhook', () => {
  it('add, a purge delivered signed, list, deliveries, remove', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    const added = await world.cli(['webhook', 'add', 'deploys', '--url', url], { MOONCDN_WEBHOOK_SECRET: SECRET });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe(`Webhook deploys posts to ${url}\nSee its deliveries with: mooncdn webhook deliveries deploys\n`);

    const endpointId = await world.endpoint('hooks.example.com');
    const purge = await world.cli(['purge', 'http://hooks.example.com/a.css', '--wait']);
    expect(purge.code, purge.stderr).toBe(0);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const delivered = received.map((r) => ({ ...r, operation: JSON.parse(r.body) })).find((r) => r.operation.Type === 'Purge')!;
    expect(delivered.operation).toMatchObject({ Status: 'Succeeded', EndpointId: endpointId });
    expect(verifyWebhookSignature(SECRET, delivered.signature, delivered.body)).toBe(true);

    expect(parseJson(await world.cli(['webhook', 'list', '--json']))).toEqual([expect.objectContaining({ Name: 'deploys', Url: url })]);
    expect((await world.cli(['webhook', 'list'])).stdout).toMatch(/^NAME\s+URL\s+CREATED\ndeploys\s+http:\/\/127\.0\.0\.1:\d+\/hooks\s/);
    await expect.poll(async () => (await world.cli(['webhook', 'deliveries', 'deploys'])).stdout, { timeout: 10_000 }).toMatch(/^OPERATION\s+STATUS\s+ATTEMPTS\s+LAST ANSWER\s+CREATED\n\S+\s+Delivered\s+1\s+204\s/);

    const removed = await world.cli(['webhook', 'remove', 'deploys']);
    expect([removed.code, removed.stdout]).toEqual([0, 'Webhook deploys removed\n']);
    expect((await world.cli(['webhook', 'list'])).stdout).toBe('No webhooks. Add one with: mooncdn webhook add NAME --url URL\n');
  });

  it('without a secret: a usage error saying where to put it, and nothing registered', async () => {
    const result = await world.cli(['webhook', 'add', 'nosecret', '--url', 'http://127.0.0.1:9/x'], { MOONCDN_WEBHOOK_SECRET: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Give the secret in MOONCDN_WEBHOOK_SECRET or with --secret-file FILE');
    expect(parseJson(await world.cli(['webhook', 'list', '--json']))).toEqual([]);
  });
});
