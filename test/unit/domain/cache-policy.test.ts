import { describe, expect, it } from 'vitest';
import type { CachePolicyInput } from '../../../src/contract/schemas/cache-policy.js';
import {
  DEFAULT_CACHE_POLICY,
  MAX_CACHE_RULES,
  MAX_RULE_ITEMS,
  MAX_TTL_SECONDS,
  parseCachePolicy,
} from '../../../src/domain/cache-policy.js';
import { expectApiError } from '../expect-api-error.js';

type Rule = NonNullable<CachePolicyInput['Rules']>[number];
const rule = (overrides: Partial<Rule> = {}): Rule => ({ Type: 'Suffix', Items: ['.jpg'], TTL: 3600, ...overrides });
const withRules = (...rules: Rule[]): CachePolicyInput => ({ Rules: rules });

describe('parseCachePolicy', () => {
  it('gives the defaults for an empty policy', () => {
    expect(parseCachePolicy({})).toEqual(DEFAULT_CACHE_POLICY);
    expect(DEFAULT_CACHE_POLICY).toEqual({ rules: [], ignoreCacheControl: false, ignoreQueryString: false, ignoreCookie: false });
  });

  it('reads rules in order, with TTL as a number or a string of digits', () => {
    const policy = parseCachePolicy(
      withRules(
        rule({ Type: 'Suffix', Items: ['.jpg', 'png', 'tar.gz', '.min.js'], TTL: '86400' }),
        rule({ Type: 'Dir', Items: ['/images/', '/'], TTL: 0 }),
        rule({ Type: 'FullUri', Items: ['/index.html', '/a/b~c%20d.html'], TTL: MAX_TTL_SECONDS }),
      ),
    );
    expect(policy.rules).toEqual([
      { type: 'Suffix', items: ['.jpg', 'png', 'tar.gz', '.min.js'], ttlSeconds: 86400 },
      { type: 'Dir', items: ['/images/', '/'], ttlSeconds: 0 },
      { type: 'FullUri', items: ['/index.html', '/a/b~c%20d.html'], ttlSeconds: MAX_TTL_SECONDS },
    ]);
  });

  it('reads the Ignore flags as booleans or strings in any case', () => {
    expect(parseCachePolicy({ IgnoreCacheControl: 'TRUE', IgnoreQueryString: true, IgnoreCookie: 'false' })).toMatchObject({
      ignoreCacheControl: true,
      ignoreQueryString: true,
      ignoreCookie: false,
    });
  });

  it.each([[MAX_TTL_SECONDS + 1], [String(MAX_TTL_SECONDS + 1)], ['99999999999999999999'], [-1], [1.5], ['']])(
    'refuses the TTL %j, naming the rule',
    (ttl) => {
      expectApiError(
        () => parseCachePolicy(withRules(rule(), rule({ TTL: ttl as number }))),
        'ParameterInvalid',
        400,
        'Rules[1].TTL',
        `0 to ${MAX_TTL_SECONDS}`,
      );
    },
  );

  it('refuses a rule with no items', () => {
    expectApiError(() => parseCachePolicy(withRules(rule({ Items: [] }))), 'ParameterMissing', 400, 'Rules[0].Items');
  });

  it(`takes ${MAX_RULE_ITEMS} items in a rule and refuses more`, () => {
    const items = Array.from({ length: MAX_RULE_ITEMS }, (_, i) => `.e${i}`);
    expect(parseCachePolicy(withRules(rule({ Items: items }))).rules[0]?.items).toHaveLength(MAX_RULE_ITEMS);
    expectApiError(
      () => parseCachePolicy(withRules(rule({ Items: [...items, '.x'] }))),
      'ParameterInvalid',
      400,
      'Rules[0].Items',
      `at most ${MAX_RULE_ITEMS}`,
    );
  });

  it(`takes ${MAX_CACHE_RULES} rules and refuses more`, () => {
    const rules = Array.from({ length: MAX_CACHE_RULES }, () => rule());
    expect(parseCachePolicy(withRules(...rules)).rules).toHaveLength(MAX_CACHE_RULES);
    expectApiError(() => parseCachePolicy(withRules(...rules, rule())), 'ParameterInvalid', 400, 'Rules', `at most ${MAX_CACHE_RULES}`);
  });

  it.each(['*.jpg', '/a.jpg', '', '.', '..', '.j pg', 'jpg?'])('refuses the suffix %j, naming the item', (item) => {
    expectApiError(
      () => parseCachePolicy(withRules(rule({ Items: ['.png', item] }))),
      'ParameterInvalid',
      400,
      `Rules[0].Items[1] "${item}"`,
      'suffix',
    );
  });

  it.each(['images/', '', '/a?b=1', '/a#b', '/a b/', '/a\\b/', '/a\u0000/'])('refuses the directory %j', (item) => {
    expectApiError(() => parseCachePolicy(withRules(rule({ Type: 'Dir', Items: [item] }))), 'ParameterInvalid', 400, 'Rules[0].Items[0]', 'directory');
  });

  it.each(['/../etc/', '/a/./b/', '/a/..'])('refuses the dot segments in the directory %j', (item) => {
    expectApiError(() => parseCachePolicy(withRules(rule({ Type: 'Dir', Items: [item] }))), 'ParameterInvalid', 400, 'Rules[0].Items[0]', '".."');
  });

  it.each(['index.html', '/index.html?v=1', 'http://cdn.example.com/index.html'])('refuses the full URI %j', (item) => {
    expectApiError(
      () => parseCachePolicy(withRules(rule(), rule({ Type: 'FullUri', Items: [item] }))),
      'ParameterInvalid',
      400,
      'Rules[1].Items[0]',
      'a path such as "/index.html"',
    );
  });

  it('copies the items, so the input can change afterwards', () => {
    const items = ['.jpg'];
    const policy = parseCachePolicy(withRules(rule({ Items: items })));
    items.push('.png');
    expect(policy.rules[0]?.items).toEqual(['.jpg']);
  });
});
