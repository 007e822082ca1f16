/** --edge-tag-headers (issue 13 item 4): the response headers whose values are cache tags. */
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { SCALED_COMMAND_OPTIONS } from '../../../src/config/options.js';
import { problemsOf } from './config-problems.js';

describe('--edge-tag-headers', () => {
  it('is Cache-Tag by default; the flag and the environment set a list, lower case, each once', () => {
    expect(loadServeConfig({}, {}).edge.tagHeaders).toEqual(['cache-tag']);
    expect(loadServeConfig({ edgeTagHeaders: 'Surrogate-Key, Cache-Tag,cache-tag' }, {}).edge.tagHeaders).toEqual(['surrogate-key', 'cache-tag']);
    expect(loadServeConfig({}, { MOONCDN_EDGE_TAG_HEADERS: 'X-Tags' }).edge.tagHeaders).toEqual(['x-tags']);
  });

  it('must be header names', () => {
    expect(problemsOf(() => loadServeConfig({ edgeTagHeaders: 'Cache Tag' }, {}))).toEqual([
      '--edge-tag-headers (MOONCDN_EDGE_TAG_HEADERS) "Cache Tag" must be header names separated by commas, such as Cache-Tag,Surrogate-Key ("Cache Tag" is not a header name).',
    ]);
    expect(problemsOf(() => loadServeConfig({ edgeTagHeaders: ' , ' }, {}))).toHaveLength(1);
  });

  it('is a setting of mooncdn edge too', () => {
    expect(SCALED_COMMAND_OPTIONS.edge.serve).toContain('edge-tag-headers');
  });
});
