/**
 * Input property names are matched case-insensitively (CONTRACT §1: the real service is
 * ASP.NET), so `{"customdomain": ...}` is read as `{"CustomDomain": ...}`. This renames keys
 * to the schema's spelling before validation, walking the schema; keys the schema does not
 * know are left alone. Two keys that differ only in case are an error.
 */
import { Errors } from '../../contract/errors.js';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  patternProperties?: Record<string, JsonSchema>;
}

const lookups = new WeakMap<JsonSchema, Map<string, [string, JsonSchema]>>();

function lookupOf(schema: JsonSchema): Map<string, [string, JsonSchema]> {
  let lookup = lookups.get(schema);
  if (!lookup) {
    lookup = new Map(Object.entries(schema.properties ?? {}).map(([name, sub]) => [name.toLowerCase(), [name, sub]]));
    lookups.set(schema, lookup);
  }
  return lookup;
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
    const name = match ? match[0] : key;
    if (result.has(name)) {
      throw Errors.parameterInvalid(`Property "${path ? `${path}.` : ''}${name}" is given twice (property names are case-insensitive).`);
    }
    result.set(name, match ? canonicalizeKeys(child, match[1], path ? `${path}.${name}` : name) : child);
  }
  return Object.fromEntries(result);
}
