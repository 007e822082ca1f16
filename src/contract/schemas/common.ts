/** Building blocks shared by the wire shapes. */
import { Type, type TSchema } from '@sinclair/typebox';

/** A UUID: matched in any case on input, written lower case. */
export const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  examples: ['46fecf3c-e874-49aa-891d-0d4dc93213e0'],
});

/** A timestamp as the contract writes it: ISO 8601 UTC with milliseconds and Z. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2017-05-02T06:34:07.869Z'] });

/** Booleans on the wire are the strings "true" and "false" (the spec's `type: string, format: boolean`). */
export const BooleanString = Type.Union([Type.Literal('true'), Type.Literal('false')]);

/** On input a boolean may be a JSON boolean or the string "true"/"false" in any case. */
export const BooleanInput = Type.Union([
  Type.Boolean(),
  Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' }),
]);

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const StringList = (description: string) => Type.Array(Type.String(), { description });
