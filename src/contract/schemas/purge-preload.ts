/** PurgeParameters, PurgeResult, PreloadParameters and PreloadResult. */
import { Type, type Static } from '@sinclair/typebox';
import { PURGE_ITEM_STATUSES, PRELOAD_ITEM_STATUSES } from '../enums.js';
import { BooleanInput } from './common.js';

export { PURGE_ITEM_STATUSES, PRELOAD_ITEM_STATUSES } from '../enums.js';

export const PurgeParameters = Type.Object(
  {
    Files: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Absolute URLs of files. Extension: a "*" in the path matches any run of characters, "/" included (http://d/*.html); write a literal "*" as %2A.',
      }),
    ),
    Directories: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Absolute URLs ending in "/". Extension: a "*" in the path matches as in Files (http://d/img/*/ is everything below each directory it matches).',
      }),
    ),
    Tags: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Extension (mooncdn): cache tags. Every object of the endpoint whose response carried one of them in a tag header (Cache-Tag, comma separated, unless the edges are configured with --edge-tag-headers; Surrogate-Key is space separated) is purged. Each 1 to 1024 characters, no commas, whitespace or control characters. Tags count with URLs against the per-request limit, and each counts as a directory purge against the daily quota.',
      }),
    ),
    Soft: Type.Optional(
      Type.Union(BooleanInput.anyOf, {
        description:
        'Extension (mooncdn): true marks what the purge covers stale instead of dropping it: the next request revalidates it with the origin (a 304 keeps the stored body), and while the origin fails the stale-serving rules (stale-if-error) still apply. Default false.',
      }),
    ),
  },
  { description: 'PurgeParameters' },
);
export type PurgeParameters = Static<typeof PurgeParameters>;

export const PreloadParameters = Type.Object(
  { Files: Type.Array(Type.String(), { description: 'Absolute URLs of files.' }) },
  { description: 'PreloadParameters' },
);
export type PreloadParameters = Static<typeof PreloadParameters>;


const ItemResult = (statuses: readonly string[]) =>
  Type.Object({ Url: Type.String(), Status: Type.String({ enum: [...statuses] }) });

/** Extension: each edge's part, written when the operation ends (empty before). */
/** One edge's part in a purge or preload (extension); also the data of the event stream's `edge` events. */
export const EdgeResult = Type.Object({
  EdgeId: Type.String(),
  Status: Type.String({ enum: ['Succeeded', 'Failed', 'Fenced'] }),
  Message: Type.Union([Type.String(), Type.Null()]),
});
export type EdgeResult = Static<typeof EdgeResult>;

const EdgeResults = Type.Array(EdgeResult, {
  description:
    'Extension (mooncdn): per-edge outcome, each edge\'s as it answers (a preload\'s once it has answered every URL or failed one), ' +
    'every edge\'s once the operation has ended. Fenced: the edge was cut off from the control plane past its lease; ' +
    'it serves nothing from cache until it has applied this.',
});

export const PurgeResult = Type.Object(
  {
    Files: Type.Array(ItemResult(PURGE_ITEM_STATUSES)),
    Directories: Type.Array(ItemResult(PURGE_ITEM_STATUSES)),
    Tags: Type.Optional(
      Type.Array(Type.Object({ Tag: Type.String(), Status: Type.String({ enum: [...PURGE_ITEM_STATUSES] }) }), {
        description: 'Extension (mooncdn): the cache tags purged, each with its status; present only when the purge named tags.',
      }),
    ),
    Soft: Type.Optional(Type.Boolean({ description: 'Extension (mooncdn): true when the purge marked objects stale instead of dropping them; present only then.' })),
    Edges: Type.Optional(EdgeResults),
  },
  { $id: 'PurgeResult' },
);
export type PurgeResult = Static<typeof PurgeResult>;

export const PreloadResult = Type.Object({ Files: Type.Array(ItemResult(PRELOAD_ITEM_STATUSES)), Edges: Type.Optional(EdgeResults) }, { $id: 'PreloadResult' });
export type PreloadResult = Static<typeof PreloadResult>;
