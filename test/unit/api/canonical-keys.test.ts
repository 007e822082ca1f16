import { describe, expect, it } from 'vitest';
import { canonicalizeKeys as canonicalize, requireKnownProperty } from '../../../src/api/pipeline/canonical-keys.js';
import { AccessControlInput } from '../../../src/contract/schemas/access-control.js';
import { CachePolicyInput } from '../../../src/contract/schemas/cache-policy.js';
import { CertificateUpload } from '../../../src/contract/schemas/certificate.js';
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

describe('canonicalizeKeys: aliases and nulls (CONTRACT §7)', () => {
  it('reads a property under an alias listed in x-aliases, in any case', () => {
    expect(canonicalizeKeys({ settings: { Host: 'h.example.com' }, UpdateFlag: 'HostHeader' }, EndpointUpdateInput)).toEqual({
      EndpointSettings: { Host: 'h.example.com' },
      UpdateFlag: 'HostHeader',
    });
    expect(canonicalizeKeys({ CertificateName: 'n', PublicCertificate: 'c', PrivateKey: 'k' }, CertificateUpload)).toEqual({
      Name: 'n',
      PublicCertificate: 'c',
      PrivateKey: 'k',
    });
  });

  it('refuses a property given under its name and an alias, naming both', () => {
    expectApiError(
      () => canonicalizeKeys({ Name: 'a', certificatename: 'b' }, CertificateUpload),
      'ParameterInvalid',
      400,
      'Property "Name" is given twice',
      'CertificateName',
    );
  });

  it('drops a null for a property that cannot be null, at any depth, and keeps unknown nulls', () => {
    expect(canonicalizeKeys({ Files: ['http://a/'], Directories: null, Other: null }, PurgeParameters)).toEqual({ Files: ['http://a/'], Other: null });
    expect(canonicalizeKeys({ RefererControl: { Enabled: null, Referers: ['a'] } }, AccessControlInput)).toEqual({ RefererControl: { Referers: ['a'] } });
  });
});

describe('requireKnownProperty', () => {
  it('passes a body holding at least one of the route\'s properties', () => {
    expect(() => requireKnownProperty({ Rules: [], Unknown: 1 }, CachePolicyInput)).not.toThrow();
  });

  it('refuses an object with none of them, naming them and what it holds', () => {
    const error = expectApiError(() => requireKnownProperty({ EndpointID: 'x', Body: {} }, CachePolicyInput), 'ParameterMissing', 400, 'Rules, IgnoreCacheControl, IgnoreQueryString, IgnoreCookie');
    expect(error.message).toContain('it holds "EndpointID", "Body"');
    expectApiError(() => requireKnownProperty({}, AccessControlInput), 'ParameterMissing', 400, 'ForbiddenIps, RefererControl', 'no property with a value');
  });

  it('leaves non-objects to the schema, and shortens hostile key names', () => {
    expect(() => requireKnownProperty([1], CachePolicyInput)).not.toThrow();
    expect(() => requireKnownProperty('text', CachePolicyInput)).not.toThrow();
    const error = expectApiError(() => requireKnownProperty({ ['x'.repeat(1000) + '\n']: 1 }, CachePolicyInput), 'ParameterMissing', 400);
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).not.toContain('\n');
  });
});
