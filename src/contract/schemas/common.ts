/** Building blocks shared by the wire shapes. */
import { Type, type TSchema } from '@sinclair/typebox';

/** A UUID: matched in any case on input, written lower case. */
export const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  examples: ['46fecf3c-e874-49aa-891d-0d4dc93213e0'],
});

/** A timestamp as the contract writes it: ISO 8601 UTC with milliseconds and Z. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2017-05-02T06:34:07.869Z'] });

/**
 * On input a boolean may be a JSON boolean (what the live service sent, CONTRACT §7) or the
 * string "true"/"false" in any case (the Swagger file's `type: string, format: boolean`).
 * Output is always a JSON boolean.
 */
export const BooleanInput = Type.Union([
  Type.Boolean(),
  Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' }),
]);

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * The schema keyword naming other spellings a property is accepted under on input (matched in
 * any case, like the name itself): `{"Settings": ...}` for `EndpointSettings`. An `x-` keyword,
 * so the OpenAPI document carries it as a vendor extension.
 */
export const ALIASES = 'x-aliases';

export const withAliases = <T extends TSchema>(schema: T, aliases: readonly string[]): T =>
  ({ ...schema, [ALIASES]: [...aliases] }) as T;
