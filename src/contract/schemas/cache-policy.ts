/** CachePolicy and CacheRule. */
import { Type, type Static } from '@sinclair/typebox';
import { CACHE_RULE_TYPES } from '../enums.js';
import { BooleanInput } from './common.js';

export { CACHE_RULE_TYPES } from '../enums.js';


export const CachePolicyInput = Type.Object(
  {
    Rules: Type.Optional(
      Type.Array(
        Type.Object({
          Type: Type.String({ enum: [...CACHE_RULE_TYPES] }),
          Items: Type.Array(Type.String(), { description: 'Suffixes (".jpg"), directories ("/img/") or paths.' }),
          TTL: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })], {
            description: 'Seconds, a JSON number or a string of digits; 0 means do not cache.',
          }),
        }),
      ),
    ),
    IgnoreCacheControl: Type.Optional(BooleanInput),
    IgnoreQueryString: Type.Optional(BooleanInput),
    IgnoreCookie: Type.Optional(BooleanInput),
  },
  { description: 'CachePolicy' },
);
export type CachePolicyInput = Static<typeof CachePolicyInput>;

export const CachePolicy = Type.Object(
  {
    Rules: Type.Array(
      Type.Object({
        Type: Type.String({ enum: [...CACHE_RULE_TYPES] }),
        Items: Type.Array(Type.String()),
        TTL: Type.Integer({ description: 'Seconds.' }),
      }),
    ),
    IgnoreCacheControl: Type.Boolean(),
    IgnoreQueryString: Type.Boolean(),
    IgnoreCookie: Type.Boolean(),
  },
  { $id: 'CachePolicy' },
);
export type CachePolicy = Static<typeof CachePolicy>;
