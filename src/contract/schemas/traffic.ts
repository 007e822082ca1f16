/**
 * CDNEndpointVolume, CDNSubscriptionVolume, CDNEndpointBandwidth and their query parameters.
 * Every figure is a JSON number, as the live service sent them (CONTRACT §7), also where the
 * Swagger file says string.
 */
import { Type, type Static } from '@sinclair/typebox';
import { GRANULARITIES } from '../enums.js';
import { Timestamp } from './common.js';

export { GRANULARITIES } from '../enums.js';

export type Granularity = (typeof GRANULARITIES)[number];

const TimeParameter = (description: string) =>
  Type.String({ description: `${description}, UTC, yyyy-MM-ddTHH:mm:ssZ`, examples: ['2017-05-02T06:00:00Z'] });

export const VolumeQuery = Type.Object({
  apiVersion: Type.String(),
  granularity: Type.String({ enum: [...GRANULARITIES] }),
  startTime: TimeParameter('Start of the range'),
  endTime: TimeParameter('End of the range'),
});

export const BandwidthQuery = Type.Object({
  apiVersion: Type.String(),
  startTime: TimeParameter('Start of the range'),
  endTime: TimeParameter('End of the range'),
});

export const EndpointVolume = Type.Object(
  {
    DomainName: Type.String(),
    Items: Type.Array(
      Type.Object({ Timestamp, VolumeInMB: Type.Number(), OriginVolumeInMB: Type.Number() }),
    ),
    TotalCdnVolumeInMB: Type.Number(),
    TotalOriginVolumeInMB: Type.Number(),
  },
  { $id: 'CDNEndpointVolume' },
);
export type EndpointVolume = Static<typeof EndpointVolume>;

export const SubscriptionVolume = Type.Object(
  {
    Details: Type.Record(Type.String(), EndpointVolume),
    TotalCdnVolumeInMB: Type.Number(),
    TotalOriginVolumeInMB: Type.Number(),
  },
  { $id: 'CDNSubscriptionVolume' },
);
export type SubscriptionVolume = Static<typeof SubscriptionVolume>;

export const EndpointBandwidth = Type.Object(
  {
    DomainName: Type.String(),
    Items: Type.Array(
      Type.Object({ Timestamp, BandwidthInMbps: Type.Number(), OriginBandwidthInMbps: Type.Number() }),
    ),
    PeakBandwidthInMbps: Type.Number(),
    ValleyBandwidthInMbps: Type.Number(),
    PeakOriginBandwidthInMbps: Type.Number(),
    ValleyOriginBandwidthInMbps: Type.Number(),
  },
  { $id: 'CDNEndpointBandwidth' },
);
export type EndpointBandwidth = Static<typeof EndpointBandwidth>;
