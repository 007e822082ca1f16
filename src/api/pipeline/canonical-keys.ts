/**
 * Input property names as clients send them, before validation:
 *
 * - matched case-insensitively (CONTRACT §1: the real service is ASP.NET), so
 *   `{"customdomain": ...}` is read as `{"CustomDomain": ...}`, and under the other spellings a
 *   schema lists in `x-aliases` (`Settings` for `EndpointSettings`);
 * - a JSON null for a property that cannot be null means the property is absent (CONTRACT §7:
 *   Go clients send `null` for an unset list);
 * - keys the schema does not know are left alone; two keys naming one property are an error.
 *
 * The walk follows the schema; it renames keys to the schema's spelling.
 */
import { Errors } from '../../contract/errors.js';
import { ALIASES } from '../../contract/schemas/common.js';
import { shorten } from '../../domain/text.js';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  patternProperties?: Record<string, JsonSchema>;
  [ALIASES]?: readonly string[];
}

const lookups = new WeakMap<JsonSchema, Map<string, [string, JsonSchema]>>();

function lookupOf(schema: JsonSchema): Map<string, [string, JsonSchema]> {
  let lookup = lookups.get(schema);
  if (!lookup) {
    lookup = new Map();
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      for (const spelling of [name, ...(sub[ALIASES] ?? [])]) lookup.set(spelling.toLowerCase(), [name, sub]);
    }
    lookups.set(schema, lookup);
  }
  return lookup;
}

function allowsNull(schema: JsonSchema): boolean {
  const type = schema.type;
  return type === 'null' || (Array.isArray(type) && type.includes('null')) || (schema.anyOf ?? []).some(allowsNull);
}

export function canonicalizeKeys(value: unknown, schema: JsonSchema | undefined, path = ''): unknown {
  if (schema === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = schema.items ?? schema.anyOf?.find((s) => s.items)?.items;
    return items ? value.map((item, i) => canonicalizeKeys(item, items, `${path}[${i}]`)) : value;
  }
  const objectSchema = schema.properties ? schema : schema.anyOf?.find((s) => s.properties);
  if (!objectSchema) return value;
  const lookup = lookupOf(objectSchema);
  // Collected in a Map and built with fromEntries, which defines own properties: a key named
  // "__proto__" stays an inert unknown key instead of replacing the result's prototype.
  const result = new Map<string, unknown>();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const match = lookup.get(key.toLowerCase());
    if (match && child === null && !allowsNull(match[1])) continue;
    const name = match ? match[0] : key;
    if (result.has(name)) {
      throw Errors.parameterInvalid(`Property "${path ? `${path}.` : ''}${name}" is given twice (property names are case-insensitive${match?.[1][ALIASES] ? `, and ${match[1][ALIASES].join(', ')} are other names of ${name}` : ''}).`);
    }
    result.set(name, match ? canonicalizeKeys(child, match[1], path ? `${path}.${name}` : name) : child);
  }
  return Object.fromEntries(result);
}

/**
 * A body object that holds none of the route's properties is a mistake, not a request to reset
 * everything to defaults (CONTRACT §7: a client that wraps its body wrongly, as in
 * `{"EndpointID": ..., "Body": {...}}`, must not have its cache rules silently emptied). Run
 * after canonicalizeKeys, which has renamed known keys and dropped null ones.
 */
export function requireKnownProperty(body: unknown, schema: object): void {
  const properties = (schema as JsonSchema).properties;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !properties) return;
  const known = Object.keys(properties);
  const given = Object.keys(body);
  if (given.some((key) => known.includes(key))) return;
  const holds = given.length === 0 ? 'it has no property with a value (null counts as absent)' : `it holds ${given.slice(0, 5).map((key) => `"${shorten(key)}"`).join(', ')}${given.length > 5 ? ', ...' : ''}`;
  throw Errors.parameterMissing(`The request body holds none of this route's properties (${known.join(', ')}); ${holds}. Send them at the top level of the JSON object.`);
}

