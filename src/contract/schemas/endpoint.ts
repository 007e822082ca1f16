/** Endpoint, EndpointSetting (create) and EndpointSettingUpdateProperty (update). */
import { Type, type Static } from '@sinclair/typebox';
import { BooleanString, Timestamp, Uuid } from './common.js';

export const SERVICE_TYPES = ['Web', 'Download', 'VOD', 'LiveStreaming', 'ImageProcessing'] as const;
export const LIFETIME_STATUSES = [
  'Normal',
  'Creating',
  'CreationFailed',
  'Deleting',
  'Deleted',
  'Updating',
  'Enabling',
  'Disabling',
] as const;
export const ICP_VERIFY_STATUSES = ['IcpVerifying', 'IcpVerifyFailed', 'IcpVerified'] as const;

const Origin = Type.Object({
  Addresses: Type.Array(Type.String(), {
    description: 'Origin addresses tried in order: host, host:port, IPv4 or [IPv6]:port.',
  }),
});

export const EndpointSettingInput = Type.Object(
  {
    CustomDomain: Type.String({ description: 'The domain the CDN serves.' }),
    Host: Type.Optional(Type.String({ description: 'Host header sent to the origin; defaults to CustomDomain.' })),
    ICP: Type.Optional(Type.String()),
    Origin,
    ServiceType: Type.Optional(Type.String({ enum: [...SERVICE_TYPES], description: 'Defaults to Web.' })),
  },
  { description: 'EndpointSetting' },
);
export type EndpointSettingInput = Static<typeof EndpointSettingInput>;

export const EndpointUpdateInput = Type.Object(
  {
    EndpointSettings: Type.Object({
      Host: Type.Optional(Type.String()),
      Origin: Type.Optional(Origin),
    }),
    UpdateFlag: Type.String({ enum: ['Origin', 'HostHeader'] }),
  },
  { description: 'EndpointSettingUpdateProperty' },
);
export type EndpointUpdateInput = Static<typeof EndpointUpdateInput>;

export const Endpoint = Type.Object(
  {
    EndpointID: Uuid,
    Setting: Type.Object({
      CustomDomain: Type.String(),
      Host: Type.String(),
      ICP: Type.String(),
      Origin,
      ServiceType: Type.String({ enum: [...SERVICE_TYPES] }),
    }),
    Status: Type.Object({
      Enabled: BooleanString,
      IcpVerifyStatus: Type.String({ enum: [...ICP_VERIFY_STATUSES] }),
      LifetimeStatus: Type.String({ enum: [...LIFETIME_STATUSES] }),
      CNameConfigured: BooleanString,
      FreeTrialExpired: BooleanString,
      TimeLastUpdated: Timestamp,
    }),
  },
  { $id: 'Endpoint' },
);
export type Endpoint = Static<typeof Endpoint>;

export const EndpointList = Type.Array(Endpoint);
