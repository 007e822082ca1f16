/** Cache rules as the domain sees them, and their parsing from the wire CachePolicy. */
import { Errors } from '../contract/errors.js';
import type { CACHE_RULE_TYPES, CachePolicyInput } from '../contract/schemas/cache-policy.js';
import { parseBooleanInput } from './boolean-input.js';
import { checkText } from './text.js';

export type CacheRuleType = (typeof CACHE_RULE_TYPES)[number];

export interface CacheRule {
  readonly type: CacheRuleType;
  readonly items: readonly string[];
  readonly ttlSeconds: number;
}

export interface CachePolicyRules {
  readonly rules: readonly CacheRule[];
  readonly ignoreCacheControl: boolean;
  readonly ignoreQueryString: boolean;
  readonly ignoreCookie: boolean;
}

export const DEFAULT_CACHE_POLICY: CachePolicyRules = {
  rules: [],
  ignoreCacheControl: false,
  ignoreQueryString: false,
  ignoreCookie: false,
};

export const MAX_CACHE_RULES = 100;
export const MAX_RULE_ITEMS = 100;
/** Ten years: longer TTLs are almost certainly a unit mistake. */
export const MAX_TTL_SECONDS = 315_360_000;

const SUFFIX = /^\.?[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const PATH_CHARS = /^\/[^\s?#\\\u0000-\u001f\u007f]*$/;

export function parseCachePolicy(input: CachePolicyInput): CachePolicyRules {
  const rules = input.Rules ?? [];
  if (rules.length > MAX_CACHE_RULES) throw Errors.parameterInvalid(`Rules has ${rules.length} rules; at most ${MAX_CACHE_RULES} are allowed.`);
  return {
    rules: rules.map((rule, index) => {
      const field = `Rules[${index}]`;
      if (rule.Items.length === 0) throw Errors.parameterMissing(`${field}.Items must list at least one item.`);
      if (rule.Items.length > MAX_RULE_ITEMS) {
        throw Errors.parameterInvalid(`${field}.Items has ${rule.Items.length} items; at most ${MAX_RULE_ITEMS} are allowed.`);
      }
      const type = rule.Type as CacheRuleType;
      rule.Items.forEach((item, itemIndex) => checkItem(type, item, `${field}.Items[${itemIndex}]`));
      // The schema already refuses these; checked here too so the domain never stores a
      // negative TTL or reads "" as 0.
      const ttlSeconds = typeof rule.TTL === 'number' ? rule.TTL : /^\d+$/.test(rule.TTL) ? Number(rule.TTL) : NaN;
      if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
        throw Errors.parameterInvalid(`${field}.TTL "${rule.TTL}" must be whole seconds from 0 to ${MAX_TTL_SECONDS}.`);
      }
      return { type, items: [...rule.Items], ttlSeconds };
    }),
    ignoreCacheControl: parseBooleanInput(input.IgnoreCacheControl, false),
    ignoreQueryString: parseBooleanInput(input.IgnoreQueryString, false),
    ignoreCookie: parseBooleanInput(input.IgnoreCookie, false),
  };
}

function checkItem(type: CacheRuleType, item: string, field: string): void {
  if (type === 'Suffix') {
    if (!SUFFIX.test(item)) throw Errors.parameterInvalid(`${field} "${item}" is not a file suffix such as ".jpg" or "jpg".`);
    return;
  }
  const what = type === 'Dir' ? 'a directory such as "/images/"' : 'a path such as "/index.html"';
  if (!PATH_CHARS.test(item)) throw Errors.parameterInvalid(`${field} "${item}" is not ${what} (starting with "/", no query).`);
  checkText(item, field);
  if (item.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw Errors.parameterInvalid(`${field} "${item}" must not contain "." or ".." segments.`);
  }
}
