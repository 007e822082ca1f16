/** Booleans on input: JSON booleans (the live service) or "true"/"false" in any case (the spec). */
export function parseBooleanInput(value: boolean | string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  return value.toLowerCase() === 'true';
}
