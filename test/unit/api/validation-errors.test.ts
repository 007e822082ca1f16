import { describe, expect, it } from 'vitest';
import { validationError, type AjvError } from '../../../src/api/pipeline/validation-errors.js';

const error = (keyword: string, instancePath: string, params: Record<string, unknown>, extra: Partial<AjvError> = {}): AjvError => ({
  keyword,
  instancePath,
  params,
  ...extra,
});
const body = { any: 'body' };

describe('validationError: missing properties are ParameterMissing with their path', () => {
  it.each([
    ['', 'CustomDomain', 'Body property CustomDomain is required.'],
    ['/Origin', 'Addresses', 'Body property Origin.Addresses is required.'],
    ['/EndpointSettings/Origin', 'Addresses', 'Body property EndpointSettings.Origin.Addresses is required.'],
    ['/Rules/2', 'TTL', 'Body property Rules[2].TTL is required.'],
  ])('at %j, %s', (instancePath, missingProperty, message) => {
    const result = validationError([error('required', instancePath, { missingProperty })], 'body', body);
    expect({ type: result.type, statusCode: result.statusCode, message: result.message }).toEqual({
      type: 'ParameterMissing',
      statusCode: 400,
      message,
    });
  });

  it('says Query parameter for the query string', () => {
    const result = validationError([error('required', '', { missingProperty: 'startTime' })], 'querystring', undefined);
    expect([result.type, result.statusCode, result.message]).toEqual(['ParameterMissing', 400, 'Query parameter startTime is required.']);
  });
});

describe('validationError: the body itself', () => {
  it.each([[undefined], [null]])('asks for a body when there is none (%j)', (value) => {
    const result = validationError([error('type', '', { type: 'object' })], 'body', value);
    expect([result.type, result.statusCode, result.message]).toEqual(['ParameterMissing', 400, 'A JSON request body is required.']);
  });

  it.each([[[]], ['text'], [42]])('says a body of %j must be an object', (value) => {
    const result = validationError([error('type', '', { type: 'object' })], 'body', value);
    expect([result.type, result.statusCode, result.message]).toEqual(['ParameterInvalid', 400, 'The request body must be a JSON object.']);
  });

  it('still reports a missing property of an empty object as missing', () => {
    expect(validationError([error('required', '', { missingProperty: 'Files' })], 'body', {}).type).toBe('ParameterMissing');
  });
});

describe('validationError: wrong values are ParameterInvalid naming the property', () => {
  const invalid = (errors: AjvError[], context = 'body') => {
    const result = validationError(errors, context, body);
    expect([result.type, result.statusCode]).toEqual(['ParameterInvalid', 400]);
    return result.message;
  };

  it.each([
    ['/Origin/Addresses/0', 'string', 'Body property Origin.Addresses[0] must be a string.'],
    ['/Origin/Addresses', 'array', 'Body property Origin.Addresses must be an array.'],
    ['/Origin', 'object', 'Body property Origin must be an object.'],
    ['/Rules/1/Items/3', 'string', 'Body property Rules[1].Items[3] must be a string.'],
    ['/Rules/0/TTL', 'integer', 'Body property Rules[0].TTL must be a whole number.'],
  ])('type at %s', (instancePath, type, message) => {
    expect(invalid([error('type', instancePath, { type })])).toBe(message);
  });

  it('lists the allowed values of an enum', () => {
    expect(invalid([error('enum', '/ServiceType', { allowedValues: ['Web', 'Download', 'VOD'] })])).toBe(
      'Body property ServiceType must be one of Web, Download, VOD.',
    );
  });

  it('explains the UUID pattern of a path parameter', () => {
    const message = invalid([error('pattern', '/endpointId', { pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })], 'params');
    expect(message).toMatch(/^Path parameter endpointId must be a UUID such as [0-9a-f-]{36}\.$/);
  });

  it('explains a boolean union by its anyOf entry, not its first branch', () => {
    const parentSchema = { anyOf: [{ type: 'boolean' }, { type: 'string' }] };
    const message = invalid([
      error('type', '/RefererControl/Enabled', { type: 'boolean' }),
      error('pattern', '/RefererControl/Enabled', { pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' }),
      error('anyOf', '/RefererControl/Enabled', {}, { parentSchema }),
    ]);
    expect(message).toBe('Body property RefererControl.Enabled must be true or false.');
  });

  it('explains a number-or-digits union', () => {
    const parentSchema = { anyOf: [{ type: 'integer' }, { type: 'string' }] };
    expect(invalid([error('type', '/Rules/0/TTL', { type: 'integer' }), error('anyOf', '/Rules/0/TTL', {}, { parentSchema })])).toBe(
      'Body property Rules[0].TTL must be a whole number (a JSON number or a string of digits).',
    );
  });

  it.each([
    ['minLength', { limit: 1 }, 'must not be empty'],
    ['minLength', { limit: 3 }, 'must be at least 3 characters'],
    ['maxLength', { limit: 100 }, 'must be at most 100 characters'],
    ['minimum', { limit: 0 }, 'must be at least 0'],
    ['maxItems', { limit: 100 }, 'must have at most 100 items'],
    ['format', { format: 'date-time' }, 'must be a date and time'],
    ['const', { allowedValue: '1.0' }, 'must be 1.0'],
  ])('%s %j', (keyword, params, wording) => {
    expect(invalid([error(keyword, '/Name', params)])).toBe(`Body property Name ${wording}.`);
  });

  it('unescapes JSON pointer segments', () => {
    expect(invalid([error('type', '/Details/a~1b~0c', { type: 'object' })])).toBe('Body property Details.a/b~c must be an object.');
  });

  it('falls back to the validator message for other keywords', () => {
    expect(invalid([error('uniqueItems', '/Files', {}, { message: 'must NOT have duplicate items' })])).toBe(
      'Body property Files must NOT have duplicate items.',
    );
  });

  it('says Header and Parameter for other contexts', () => {
    expect(invalid([error('type', '/x-azurecdn-request-date', { type: 'string' })], 'headers')).toMatch(/^Header x-azurecdn-request-date /);
    expect(invalid([error('type', '/x', { type: 'string' })], 'other')).toMatch(/^Parameter x /);
  });

  it('has a message even without errors', () => {
    expect(invalid([])).toBe('The request is invalid.');
  });
});
