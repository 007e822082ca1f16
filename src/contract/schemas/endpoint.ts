/** Endpoint, EndpointSetting (create) and EndpointSettingUpdateProperty (update). */
import { Type, type Static } from '@sinclair/typebox';
import { SERVICE_TYPES, LIFETIME_STATUSES, ICP_VERIFY_STATUSES, ALLOWED_SCHEMES } from '../enums.js';
import { Timestamp, Uuid, withAliases } from './common.js';

export { SERVICE_TYPES, LIFETIME_STATUSES, ICP_VERIFY_STATUSES, ALLOWED_SCHEMES } from '../enums.js';


const Origin = Type.Object({
  Addresses: Type.Array(Type.String(), {
    description: 'Origin addresses tried in order: host, host:port, IPv4 or [IPv6]:port.',
  }),
});

export const EndpointSettingInput = Type.Object(
  {
    CustomDomain: Type.String({ description: 'The domain the CDN serves.' }),
    Host: Type.Optional(Type.String({ description: 'Host header sent to the origin; defaults to the first origin\'s name.' })),
    ICP: Type.Optional(Type.String()),
    Origin,
    ServiceType: Type.Optional(Type.String({ enum: [...SERVICE_TYPES], description: 'Defaults to Web.' })),
  },
  { description: 'EndpointSetting' },
);
export type EndpointSettingInput = Static<typeof EndpointSettingInput>;

export const EndpointUpdateInput = Type.Object(
  {
    // Clients that model the update on the Endpoint shape send its property's name.
    EndpointSettings: withAliases(
      Type.Object({
        Host: Type.Optional(Type.String()),
        Origin: Type.Optional(Origin),
      }),
      ['EndpointSetting', 'Settings', 'Setting'],
    ),
    UpdateFlag: Type.String({ enum: ['Origin', 'HostHeader'] }),
  },
  { description: 'EndpointSettingUpdateProperty' },
);
export type EndpointUpdateInput = Static<typeof EndpointUpdateInput>;

const EndpointSettingOutput = Type.Object({
  CustomDomain: Type.String(),
  Host: Type.String(),
  ICP: Type.String(),
  Origin,
  ServiceType: Type.String({ enum: [...SERVICE_TYPES] }),
  AllowedScheme: Type.String({
    enum: [...ALLOWED_SCHEMES],
    description: 'HttpAndHttps once a certificate is bound to the domain (POST /https/bindings), else Http.',
  }),
  CName: Type.String({ description: 'The name to point the domain\'s DNS CNAME record at: {CustomDomain}.{--cname-suffix}.' }),
});

export const Endpoint = Type.Object(
  {
    // Each twice, the same value under both names: the live service wrote EndpointId and
    // Settings, the spec EndpointID and Setting (CONTRACT §7).
    EndpointId: Uuid,
    EndpointID: Uuid,
    Settings: EndpointSettingOutput,
    Setting: EndpointSettingOutput,
    Status: Type.Object({
      Enabled: Type.Boolean({ description: 'false while the endpoint is Creating or its creation failed.' }),
      IcpVerifyStatus: Type.String({ enum: [...ICP_VERIFY_STATUSES], description: 'IcpVerifying while Creating, then IcpVerified.' }),
      LifetimeStatus: Type.String({ enum: [...LIFETIME_STATUSES] }),
      CNameConfigured: Type.Boolean(),
      FreeTrialExpired: Type.Boolean(),
      TimeLastUpdated: Timestamp,
    }),
  },
  { $id: 'Endpoint' },
);
export type Endpoint = Static<typeof Endpoint>;

export const EndpointList = Type.Array(Endpoint);
