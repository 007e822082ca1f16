/**
 * Tag and soft purges through the API (extensions): Tags reach every edge as tags, Soft as the
 * soft part of the target (kept apart from hard purges of the same group); bad tags are refused
 * with what to fix; the result shows the tags and Soft only when used; tags count as directory
 * purges against the daily quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';
import { expectError } from './route-test-kit.js';

const DOMAIN = 'tags.example.com';
let harness: Harness;
let edge: ScriptedEdge;
let endpointId: string;
beforeAll(async () => {
  edge = new ScriptedEdge();
  harness = await startHarness({ edges: [edge], settings: { quotas: { filePurges: 100, directoryPurges: 20, preloads: 100 } } });
  endpointId = await harness.createEndpoint(DOMAIN);
});
afterAll(() => harness.close());

const purge = (body: unknown) => harness.sub('POST', `/endpoints/${endpointId}/purges`, { body });

/** A purge accepted (202) and ended Succeeded: its id. */
async function purgeDone(body: unknown): Promise<string> {
  const accepted = await purge(body);
  expect(accepted.status, accepted.text).toBe(202);
  const id = accepted.body.AsyncInfo.TaskTrackId as string;
  expect((await harness.waitForOperation(id)).status).toBe('Succeeded');
  return id;
}
const EMPTY = { files: [], directories: [], patterns: [] };

describe('POST /purges with Tags and Soft', () => {
  it('sends tags to the edge and shows them in the result', async () => {
    const id = await purgeDone({ Tags: ['product-42', 'Ünïcode'], Files: [`http://${DOMAIN}/a.css`] });
    expect(edge.calls.findLast((c) => c.kind === 'purge')).toEqual({
      kind: 'purge',
      endpointId,
      target: { ...EMPTY, files: ['/a.css'], tags: ['product-42', 'Ünïcode'] },
    });
    const result = await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
    expect(result.body).toEqual({
      Files: [{ Url: `http://${DOMAIN}/a.css`, Status: 'Succeed' }],
      Directories: [],
      Tags: [
        { Tag: 'product-42', Status: 'Succeed' },
        { Tag: 'Ünïcode', Status: 'Succeed' },
      ],
      Edges: [{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null }],
    });
  });

  it('sends a soft purge as the soft part, with Soft in the result; "true" as a string too', async () => {
    for (const soft of [true, 'TRUE']) {
      const id = await purgeDone({ Tags: ['t1'], Directories: [`http://${DOMAIN}/img/`], Soft: soft });
      expect(edge.calls.findLast((c) => c.kind === 'purge')).toEqual({
        kind: 'purge',
        endpointId,
        target: { ...EMPTY, soft: { ...EMPTY, directories: ['/img/'], tags: ['t1'] } },
      });
      const result = await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
      expect(result.body).toMatchObject({ Soft: true, Tags: [{ Tag: 't1', Status: 'Succeed' }], Directories: [{ Url: `http://${DOMAIN}/img/`, Status: 'Succeed' }] });
    }
  });

  it('keeps soft and hard purges of one group apart', async () => {
    await harness.plane.engine.stop();
    const hard = await purge({ Files: [`http://${DOMAIN}/hard.js`], Tags: ['gone'] });
    const soft = await purge({ Files: [`http://${DOMAIN}/soft.js`], Tags: ['stale'], Soft: true });
    const before = edge.calls.length;
    harness.plane.engine.start();
    for (const accepted of [hard, soft]) expect((await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    const purges = edge.calls.slice(before).filter((c) => c.kind === 'purge');
    // One call for the group, or one per operation: either way nothing soft is dropped hard.
    const merged = purges.map((c) => (c.kind === 'purge' ? c.target : undefined));
    const hardFiles = merged.flatMap((t) => t?.files ?? []);
    const softFiles = merged.flatMap((t) => t?.soft?.files ?? []);
    expect(hardFiles).toEqual(['/hard.js']);
    expect(softFiles).toEqual(['/soft.js']);
    expect(merged.flatMap((t) => t?.tags ?? [])).toEqual(['gone']);
    expect(merged.flatMap((t) => t?.soft?.tags ?? [])).toEqual(['stale']);
  });

  it('reads a v1.0 purge as before: no Tags, no Soft in its result', async () => {
    const id = await purgeDone({ Files: [`http://${DOMAIN}/plain.html`], Soft: false });
    const result = await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
    expect(Object.keys(result.body).sort()).toEqual(['Directories', 'Edges', 'Files']);
    expect(edge.calls.findLast((c) => c.kind === 'purge')).toEqual({ kind: 'purge', endpointId, target: { ...EMPTY, files: ['/plain.html'] } });
  });
});

describe('bad tags and soft values', () => {
  it('needs at least one of Files, Directories or Tags', async () => {
    expectError(await purge({ Tags: [], Soft: true }), 400, 'ParameterMissing', /Files or Directories/, /Tags/);
  });

  it.each([
    [[''], /Tags\[0\] "" is empty/],
    [['ok', 'a,b'], /Tags\[1\] "a,b" contains a comma, whitespace or a control character/],
    [['with space'], /Tags\[0\].*whitespace/],
    [['tab\there'], /control character|whitespace/],
    [['x'.repeat(1025)], /longer than 1024 characters/],
    [[42], /Tags\[0\] must be a string/],
  ])('refuses %j', async (tags, message) => {
    const refused = await purge({ Tags: tags });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.ErrorInfo.Type).toMatch(/ParameterInvalid|InvalidRequestBody/);
    expect(refused.body.ErrorInfo.Message ?? refused.text).toMatch(message);
  });

  it('counts tags with URLs against the per-request limit', async () => {
    const tags = Array.from({ length: 101 }, (_, i) => `t${i}`);
    expectError(await purge({ Tags: tags }), 400, 'ParameterInvalid', /101 URLs and tags/);
  });

  it('refuses a Soft that is not a boolean', async () => {
    const refused = await purge({ Tags: ['t'], Soft: 'maybe' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/Soft/);
  });
});

describe('quota', () => {
  it('counts each tag as a directory purge', async () => {
    const day = new Date(harness.clock.now()).toISOString().slice(0, 10);
    const before = await harness.store.quotas.used(harness.subscriptionId, day, 'directoryPurges');
    expect((await purge({ Tags: ['q1', 'q2'] })).status).toBe(202);
    expect(await harness.store.quotas.used(harness.subscriptionId, day, 'directoryPurges')).toBe(before + 2);
    const left = 20 - before - 2;
    expectError(await purge({ Tags: Array.from({ length: left + 1 }, (_, i) => `over${i}`) }), 429, 'RequestThrottled', /20 directory purges/);
  });
});
