/**
 * Schema validation failures as contract errors with a message naming the parameter:
 * a missing property is ParameterMissing, anything else ParameterInvalid.
 */
import { ApiError, Errors } from '../../contract/errors.js';

export interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly parentSchema?: { anyOf?: Array<{ type?: string }> };
}

const WHERE: Record<string, string> = {
  body: 'Body property',
  querystring: 'Query parameter',
  params: 'Path parameter',
  headers: 'Header',
};

const PATTERN_HINTS: Array<[RegExp, string]> = [
  [/^\^\[0-9a-fA-F\]\{8\}/, 'must be a UUID such as 5dd0413d-a2f9-442a-b836-128d87753fa9'],
  [/Tt\]\[Rr\]/, 'must be true or false'],
  [/^\^\[0-9\]\+\$$/, 'must be a whole number'],
  [/^\^\[Pp\]\[Ee\]\[Mm\]\$$/, 'must be Pem, or be left out (PEM and base64 DER are both recognised)'],
];

export function validationError(errors: readonly AjvError[], context: string, body: unknown): ApiError {
  const where = WHERE[context] ?? 'Parameter';
  // A union (anyOf) reports each branch first; the anyOf entry itself says it best.
  const error = errors.find((e) => e.keyword === 'anyOf') ?? errors[0];
  if (!error) return Errors.parameterInvalid('The request is invalid.');
  const path = toPath(error.instancePath);

  if (error.keyword === 'required') {
    const name = [path, String(error.params.missingProperty)].filter(Boolean).join('.');
    return Errors.parameterMissing(`${where} ${name} is required.`);
  }
  if (context === 'body' && path === '') {
    return body === undefined || body === null
      ? Errors.parameterMissing('A JSON request body is required.')
      : Errors.parameterInvalid('The request body must be a JSON object.');
  }
  return Errors.parameterInvalid(`${where} ${path} ${describe(error)}.`);
}

function describe(error: AjvError): string {
  switch (error.keyword) {
    case 'type':
      return `must be ${article(String(error.params.type))}`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${String(error.params.allowedValue)}`;
    case 'pattern': {
      const hint = PATTERN_HINTS.find(([test]) => test.test(String(error.params.pattern)));
      return hint ? hint[1] : 'has an invalid format';
    }
    case 'format':
      return `must be ${article(String(error.params.format))}`;
    case 'anyOf': {
      const types = (error.parentSchema?.anyOf ?? []).map((branch) => branch.type);
      if (types.includes('boolean')) return 'must be true or false';
      if (types.includes('integer')) return 'must be a whole number (a JSON number or a string of digits)';
      return 'has an invalid value';
    }
    case 'minLength':
      return Number(error.params.limit) === 1 ? 'must not be empty' : `must be at least ${String(error.params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(error.params.limit)} characters`;
    case 'minimum':
      return `must be at least ${String(error.params.limit)}`;
    case 'maxItems':
      return `must have at most ${String(error.params.limit)} items`;
    default:
      return error.message ?? 'is invalid';
  }
}

function article(type: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    array: 'an array',
    object: 'an object',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    uuid: 'a UUID',
    'date-time': 'a date and time',
  };
  return words[type] ?? type;
}

/** "/Origin/Addresses/0" -> "Origin.Addresses[0]" */
function toPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
