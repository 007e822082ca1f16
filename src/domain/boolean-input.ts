/** The spec sends booleans as strings ("true"); clients also send JSON booleans. */
export function parseBooleanInput(value: boolean | string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  return value.toLowerCase() === 'true';
}

export function toBooleanString(value: boolean): 'true' | 'false' {
  return value ? 'true' : 'false';
}
