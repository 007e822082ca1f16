import { describe, expect, it } from 'vitest';
import type { EndpointSettingInput } from '../../../src/contract/schemas/endpoint.js';
import {
  applyEndpointUpdate,
  MAX_ORIGIN_ADDRESSES,
  newEndpoint,
  parseEndpointSetting,
  type EndpointSettings,
} from '../../../src/domain/endpoint.js';
import { DEFAULT_ACCESS_CONTROL } from '../../../src/domain/access-control.js';
import { DEFAULT_CACHE_POLICY } from '../../../src/domain/cache-policy.js';
import { expectApiError } from '../expect-api-error.js';

const setting = (overrides: Partial<EndpointSettingInput> = {}): EndpointSettingInput => ({
  CustomDomain: 'cdn.example.com',
  Origin: { Addresses: ['origin.example.com'] },
  ...overrides,
});

describe('parseEndpointSetting: CustomDomain', () => {
  it.each([
    ['cdn.example.com', 'cdn.example.com'],
    ['CDN.Example.COM', 'cdn.example.com'],
    [' cdn.example.com ', 'cdn.example.com'],
    ['cdn.example.com.', 'cdn.example.com'],
  ])('stores %j as %j', (input, stored) => {
    expect(parseEndpointSetting(setting({ CustomDomain: input })).customDomain).toBe(stored);
  });

  it.each(['', 'not a domain', 'cdn_example.com', '*.example.com', 'http://cdn.example.com', 'cdn.example.com:80', 'cdn..example.com'])(
    'refuses %j, quoting it',
    (customDomain) => {
      expectApiError(() => parseEndpointSetting(setting({ CustomDomain: customDomain })), 'ParameterInvalid', 400, `CustomDomain "${customDomain}"`);
    },
  );
});

describe('parseEndpointSetting: CustomDomain that would take over the edge', () => {
  // The edge routes by Host: such a domain would answer what is asked of the edge itself.
  it.each([
    ['127.0.0.1', 'is an IP address'],
    ['10.1.2.3', 'is an IP address'],
    ['::1', 'is an IP address'],
    ['[::1]', 'is an IP address'],
    ['[2001:DB8::1]', 'is an IP address'],
    ['::ffff:127.0.0.1', 'is an IP address'],
    ['localhost', 'names this machine'],
    ['LocalHost.', 'names this machine'],
    ['tenant.localhost', 'names this machine'],
    ['a.b.localhost', 'names this machine'],
    ['intranet', 'has a single label'],
    ['1.2.3', 'ends in a number'],
    ['cdn.0x7f', 'ends in a number'],
  ])('refuses %j: it %s', (customDomain, why) => {
    expectApiError(() => parseEndpointSetting(setting({ CustomDomain: customDomain })), 'ParameterInvalid', 400, `CustomDomain "${customDomain}" ${why}`);
  });

  it.each(['cdn.example.com', '127-0-0-1.example.com', 'localhost.example.com', 'cdn.example.c0m', '1.example.com'])('accepts %j', (customDomain) => {
    expect(parseEndpointSetting(setting({ CustomDomain: customDomain })).customDomain).toBe(customDomain);
  });
});

describe('parseEndpointSetting: Origin.Addresses', () => {
  it('stores every kind of address, lower case, in order', () => {
    const addresses = ['Origin.Example.com', 'origin.example.com:8080', '10.0.0.1', '10.0.0.2:81', '2001:DB8::1', '[2001:db8::2]:8443'];
    expect(parseEndpointSetting(setting({ Origin: { Addresses: addresses } })).originAddresses).toEqual([
      'origin.example.com',
      'origin.example.com:8080',
      '10.0.0.1',
      '10.0.0.2:81',
      '2001:db8::1',
      '[2001:db8::2]:8443',
    ]);
  });

  it('refuses an empty list', () => {
    expectApiError(() => parseEndpointSetting(setting({ Origin: { Addresses: [] } })), 'ParameterMissing', 400, 'Origin.Addresses');
  });

  it(`takes ${MAX_ORIGIN_ADDRESSES} addresses and refuses more`, () => {
    const addresses = Array.from({ length: MAX_ORIGIN_ADDRESSES }, (_, i) => `o${i}.example.com`);
    expect(parseEndpointSetting(setting({ Origin: { Addresses: addresses } })).originAddresses).toHaveLength(MAX_ORIGIN_ADDRESSES);
    expectApiError(
      () => parseEndpointSetting(setting({ Origin: { Addresses: [...addresses, 'x.example.com'] } })),
      'ParameterInvalid',
      400,
      'Origin.Addresses',
      `at most ${MAX_ORIGIN_ADDRESSES}`,
    );
  });

  it.each([
    ['http://origin.example.com', 'without a scheme'],
    ['https://origin.example.com:443', 'without a scheme'],
    ['origin.example.com:0', 'invalid port'],
    ['origin.example.com:99999', 'invalid port'],
    ['[2001:db8::1]:70000', 'invalid port'],
    ['300.0.0.1', 'IPv4'],
    ['origin_example.com', 'not a valid host name'],
  ])('refuses %s, quoting it', (address, mention) => {
    expectApiError(
      () => parseEndpointSetting(setting({ Origin: { Addresses: ['good.example.com', address] } })),
      'ParameterInvalid',
      400,
      `"${address}"`,
      mention,
    );
  });
});

describe('parseEndpointSetting: Host header and defaults', () => {
  it('defaults Host to the first origin host name, without its port', () => {
    expect(parseEndpointSetting(setting({ Origin: { Addresses: ['Bucket.Blob.Example.net:8080', '10.0.0.1'] } })).host).toBe(
      'bucket.blob.example.net',
    );
  });

  it.each([['10.0.0.1'], ['10.0.0.1:8080'], ['2001:db8::1'], ['[2001:db8::1]:8443']])(
    'defaults Host to the CustomDomain when the first origin is the IP address %s',
    (address) => {
      const parsed = parseEndpointSetting(setting({ CustomDomain: 'CDN.example.com', Origin: { Addresses: [address, 'o.example.com'] } }));
      expect(parsed.host).toBe('cdn.example.com');
    },
  );

  it('treats an empty Host as not given', () => {
    expect(parseEndpointSetting(setting({ Host: '' })).host).toBe('origin.example.com');
  });

  it('keeps a given Host, lower case, with its port', () => {
    expect(parseEndpointSetting(setting({ Host: 'Static.Example.com:8080' })).host).toBe('static.example.com:8080');
  });

  it.each(['http://static.example.com', 'static example.com', 'static.example.com:0'])('refuses the Host %j, naming the field', (host) => {
    expectApiError(() => parseEndpointSetting(setting({ Host: host })), 'ParameterInvalid', 400, `Host "${host}"`);
  });

  it('defaults ServiceType to Web and ICP to empty, and keeps given ones', () => {
    expect(parseEndpointSetting(setting())).toEqual({
      customDomain: 'cdn.example.com',
      host: 'origin.example.com',
      icp: '',
      originAddresses: ['origin.example.com'],
      serviceType: 'Web',
    });
    expect(parseEndpointSetting(setting({ ServiceType: 'VOD', ICP: '京ICP备000000号' }))).toMatchObject({ serviceType: 'VOD', icp: '京ICP备000000号' });
  });

  it('refuses an ICP over 100 characters', () => {
    expect(parseEndpointSetting(setting({ ICP: 'x'.repeat(100) })).icp).toHaveLength(100);
    expectApiError(() => parseEndpointSetting(setting({ ICP: 'x'.repeat(101) })), 'ParameterInvalid', 400, 'ICP', '100');
  });
});

describe('applyEndpointUpdate', () => {
  const current: EndpointSettings = {
    customDomain: 'cdn.example.com',
    host: 'origin.example.com',
    icp: 'ICP',
    originAddresses: ['origin.example.com'],
    serviceType: 'Download',
  };

  it('UpdateFlag Origin replaces the addresses and nothing else, even if Host is sent', () => {
    const updated = applyEndpointUpdate(current, {
      UpdateFlag: 'Origin',
      EndpointSettings: { Host: 'ignored.example.com', Origin: { Addresses: ['New.Example.com:81', '10.0.0.9'] } },
    });
    expect(updated).toEqual({ ...current, originAddresses: ['new.example.com:81', '10.0.0.9'] });
  });

  it('UpdateFlag Origin without Origin is ParameterMissing naming EndpointSettings.Origin', () => {
    expectApiError(
      () => applyEndpointUpdate(current, { UpdateFlag: 'Origin', EndpointSettings: { Host: 'h.example.com' } }),
      'ParameterMissing',
      400,
      'EndpointSettings.Origin',
      '"UpdateFlag": "Origin"',
    );
  });

  it('UpdateFlag Origin with no address is ParameterMissing naming EndpointSettings.Origin.Addresses', () => {
    expectApiError(
      () => applyEndpointUpdate(current, { UpdateFlag: 'Origin', EndpointSettings: { Origin: { Addresses: [] } } }),
      'ParameterMissing',
      400,
      'EndpointSettings.Origin.Addresses',
    );
  });

  it('UpdateFlag Origin checks each address', () => {
    expectApiError(
      () => applyEndpointUpdate(current, { UpdateFlag: 'Origin', EndpointSettings: { Origin: { Addresses: ['ftp://o.example.com'] } } }),
      'ParameterInvalid',
      400,
      '"ftp://o.example.com"',
    );
  });

  it('UpdateFlag HostHeader replaces the Host and nothing else, even if Origin is sent', () => {
    const updated = applyEndpointUpdate(current, {
      UpdateFlag: 'HostHeader',
      EndpointSettings: { Host: 'Static.Example.com', Origin: { Addresses: ['ignored.example.com'] } },
    });
    expect(updated).toEqual({ ...current, host: 'static.example.com' });
  });

  it.each([[{}], [{ Host: '' }]])('UpdateFlag HostHeader without a Host (%j) is ParameterMissing naming EndpointSettings.Host', (settings) => {
    expectApiError(
      () => applyEndpointUpdate(current, { UpdateFlag: 'HostHeader', EndpointSettings: settings }),
      'ParameterMissing',
      400,
      'EndpointSettings.Host',
      '"UpdateFlag": "HostHeader"',
    );
  });

  it('UpdateFlag HostHeader refuses a bad Host, naming EndpointSettings.Host', () => {
    expectApiError(
      () => applyEndpointUpdate(current, { UpdateFlag: 'HostHeader', EndpointSettings: { Host: 'https://x.example.com' } }),
      'ParameterInvalid',
      400,
      'EndpointSettings.Host "https://x.example.com"',
    );
  });
});

describe('newEndpoint', () => {
  it('starts Creating and enabled, with the default policies and no certificate', () => {
    const settings = parseEndpointSetting(setting());
    expect(newEndpoint('e1', 's1', settings, 1_000)).toEqual({
      ...settings,
      id: 'e1',
      subscriptionId: 's1',
      enabled: true,
      lifetimeStatus: 'Creating',
      timeLastUpdated: 1_000,
      cachePolicy: DEFAULT_CACHE_POLICY,
      accessControl: DEFAULT_ACCESS_CONTROL,
      certificateId: null,
      createdAt: 1_000,
    });
  });
});
