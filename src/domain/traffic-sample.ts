/** Metered traffic of one endpoint in one 5-minute bucket: what edges report and the store keeps. */
export interface TrafficSample {
  readonly endpointId: string;
  /** Start of the 5-minute bucket. */
  readonly bucketStart: number;
  readonly cdnBytes: number;
  readonly originBytes: number;
}
