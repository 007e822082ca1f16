import { describe, expect, it } from 'vitest';
import { canonicalizeKeys as canonicalize } from '../../../src/api/pipeline/canonical-keys.js';
import { AccessControlInput } from '../../../src/contract/schemas/access-control.js';
import { CachePolicyInput } from '../../../src/contract/schemas/cache-policy.js';
import { EndpointSettingInput, EndpointUpdateInput } from '../../../src/contract/schemas/endpoint.js';
import { PurgeParameters } from '../../../src/contract/schemas/purge-preload.js';
import { expectApiError } from '../expect-api-error.js';

/** As app.ts calls it, with a route's TypeBox schema. */
const canonicalizeKeys = (value: unknown, schema: object | undefined) => canonicalize(value, schema);

describe('canonicalizeKeys', () => {
  it('renames top-level and nested keys to the schema\'s spelling, leaving values alone', () => {
    const body = { customdomain: 'CDN.example.com', ORIGIN: { addresses: ['o.example.com'] }, serviceType: 'Web', icp: 'x' };
    expect(canonicalizeKeys(body, EndpointSettingInput)).toEqual({
      CustomDomain: 'CDN.example.com',
      Origin: { Addresses: ['o.example.com'] },
      ServiceType: 'Web',
      ICP: 'x',
    });
  });

  it('renames keys of objects inside arrays', () => {
    const body = { rules: [{ type: 'Suffix', items: ['.jpg'], ttl: 60 }, { TYPE: 'Dir', Items: ['/a/'], Ttl: '0' }], ignorecookie: 'true' };
    expect(canonicalizeKeys(body, CachePolicyInput)).toEqual({
      Rules: [
        { Type: 'Suffix', Items: ['.jpg'], TTL: 60 },
        { Type: 'Dir', Items: ['/a/'], TTL: '0' },
      ],
      IgnoreCookie: 'true',
    });
  });

  it('renames two levels down', () => {
    expect(canonicalizeKeys({ endpointsettings: { origin: { ADDRESSES: ['o.example.com'] } }, updateflag: 'Origin' }, EndpointUpdateInput)).toEqual({
      EndpointSettings: { Origin: { Addresses: ['o.example.com'] } },
      UpdateFlag: 'Origin',
    });
    expect(canonicalizeKeys({ referercontrol: { referercontroltype: 'AllowedList', enabled: true } }, AccessControlInput)).toEqual({
      RefererControl: { RefererControlType: 'AllowedList', Enabled: true },
    });
  });

  it('keeps unknown keys, and does not rename inside them', () => {
    const body = { CustomDomain: 'a.example.com', Origin: { Addresses: [], weight: 1 }, extra: { customdomain: 'b' } };
    expect(canonicalizeKeys(body, EndpointSettingInput)).toEqual(body);
  });

  it('keeps a "__proto__" key as an inert unknown key', () => {
    const result = canonicalizeKeys(JSON.parse('{"__proto__": {"CustomDomain": "evil.example.com"}, "origin": {}}'), EndpointSettingInput);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { CustomDomain?: string }).CustomDomain).toBeUndefined();
    expect(Object.keys(result as object)).toEqual(['__proto__', 'Origin']);
  });

  it('does not rename keys of an object where the schema wants something else', () => {
    expect(canonicalizeKeys({ Files: { url: 'x' } }, PurgeParameters)).toEqual({ Files: { url: 'x' } });
    expect(canonicalizeKeys({ origin: ['o.example.com'] }, EndpointSettingInput)).toEqual({ Origin: ['o.example.com'] });
  });

  it.each([[null], [undefined], ['text'], [42], [true]])('returns %j as it is', (value) => {
    expect(canonicalizeKeys(value, EndpointSettingInput)).toBe(value);
  });

  it('returns the value as it is without a schema', () => {
    const value = { customdomain: 'x' };
    expect(canonicalizeKeys(value, undefined)).toBe(value);
  });

  it('refuses a key given twice in different case, naming it', () => {
    expectApiError(
      () => canonicalizeKeys({ CustomDomain: 'a.example.com', customdomain: 'b.example.com' }, EndpointSettingInput),
      'ParameterInvalid',
      400,
      'Property "CustomDomain" is given twice',
      'case-insensitive',
    );
  });

  it('names the nested path of a key given twice', () => {
    expectApiError(
      () => canonicalizeKeys({ Origin: { Addresses: ['a'], ADDRESSES: ['b'] } }, EndpointSettingInput),
      'ParameterInvalid',
      400,
      'Property "Origin.Addresses" is given twice',
    );
    expectApiError(
      () => canonicalizeKeys({ Rules: [{ Type: 'Suffix', Items: [], TTL: 1 }, { Type: 'Dir', type: 'Suffix', Items: [], TTL: 1 }] }, CachePolicyInput),
      'ParameterInvalid',
      400,
      'Property "Rules[1].Type" is given twice',
    );
  });

  it('leaves two unknown keys that differ in case alone', () => {
    expect(canonicalizeKeys({ Foo: 1, foo: 2 }, EndpointSettingInput)).toEqual({ Foo: 1, foo: 2 });
  });
});
