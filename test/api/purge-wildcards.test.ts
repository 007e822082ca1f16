/**
 * Wildcard purge URLs through the API (extension): a "*" in the path of a Files or Directories
 * URL reaches every edge as a pattern (a literal "*" is %2A); the result lists the URLs as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';

let harness: Harness;
let edge: ScriptedEdge;
let endpointId: string;
beforeAll(async () => {
  edge = new ScriptedEdge();
  harness = await startHarness({ edges: [edge] });
  endpointId = await harness.createEndpoint('wild.example.com');
});
afterAll(() => harness.close());

describe('POST /purges with "*"', () => {
  it('sends patterns to the edge beside exact files and directories', async () => {
    const accepted = await harness.sub('POST', `/endpoints/${endpointId}/purges`, {
      body: {
        Files: ['http://wild.example.com/*.html', 'http://wild.example.com/img/*/thumb.png?v=1', 'http://wild.example.com/a%2Ab.css'],
        Directories: ['http://wild.example.com/cache/*/', 'http://wild.example.com/static/'],
      },
    });
    expect(accepted.status, accepted.text).toBe(202);
    const id = accepted.body.AsyncInfo.TaskTrackId as string;
    expect((await harness.waitForOperation(id)).status).toBe('Succeeded');
    const call = edge.calls.findLast((c) => c.kind === 'purge');
    expect(call).toEqual({
      kind: 'purge',
      endpointId,
      target: { files: ['/a%2Ab.css'], directories: ['/static/'], patterns: ['/*.html', '/img/*/thumb.png', '/cache/*/*'] },
    });
    const result = await harness.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
    expect(result.body).toEqual({
      Files: [
        { Url: 'http://wild.example.com/*.html', Status: 'Succeed' },
        { Url: 'http://wild.example.com/img/*/thumb.png?v=1', Status: 'Succeed' },
        { Url: 'http://wild.example.com/a%2Ab.css', Status: 'Succeed' },
      ],
      Directories: [
        { Url: 'http://wild.example.com/cache/*/', Status: 'Succeed' },
        { Url: 'http://wild.example.com/static/', Status: 'Succeed' },
      ],
      Edges: [{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null }],
    });
  });
});
