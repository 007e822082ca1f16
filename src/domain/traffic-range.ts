/**
 * The time range and buckets of the traffic routes. Traffic is stored in 5-minute buckets;
 * hours and days are sums of them. MB is 10^6 bytes and Mbps 10^6 bits per second (SI, as
 * network figures are), stated in the README.
 */
import { Errors } from '../contract/errors.js';
import { GRANULARITIES, type Granularity } from '../contract/schemas/traffic.js';

export const BUCKET_MS = 300_000;
export const MAX_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

export const GRANULARITY_MS: Record<Granularity, number> = {
  PerFiveMinutes: BUCKET_MS,
  PerHour: 3_600_000,
  PerDay: DAY_MS,
};

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/;

export interface TrafficRange {
  readonly start: number;
  readonly end: number;
}

export function parseTime(name: string, value: string | undefined): number {
  if (value === undefined || value === '') throw Errors.parameterMissing(`Query parameter ${name} is required, as UTC yyyy-MM-ddTHH:mm:ssZ.`);
  const match = TIME.exec(value);
  const time = match ? Date.parse(value) : NaN;
  if (!match || Number.isNaN(time) || new Date(time).toISOString().slice(0, 19) !== value.slice(0, 19)) {
    throw Errors.parameterInvalid(`Query parameter ${name} "${value}" is not a UTC time as yyyy-MM-ddTHH:mm:ssZ, e.g. 2017-05-02T06:00:00Z.`);
  }
  return time;
}

export function parseRange(startTime: string | undefined, endTime: string | undefined): TrafficRange {
  const start = parseTime('startTime', startTime);
  const end = parseTime('endTime', endTime);
  if (start > end) throw Errors.parameterInvalid(`startTime ${startTime} is after endTime ${endTime}.`);
  if (end - start > MAX_RANGE_DAYS * DAY_MS) {
    throw Errors.parameterInvalid(`The range from ${startTime} to ${endTime} is longer than ${MAX_RANGE_DAYS} days; query it in parts.`);
  }
  return { start, end };
}

export function parseGranularity(value: string | undefined): Granularity {
  if (value === undefined || value === '') throw Errors.parameterMissing(`Query parameter granularity is required: ${GRANULARITIES.join(', ')}.`);
  const match = GRANULARITIES.find((g) => g.toLowerCase() === value.toLowerCase());
  if (!match) throw Errors.parameterInvalid(`Query parameter granularity "${value}" must be one of ${GRANULARITIES.join(', ')}.`);
  return match;
}

/** The starts of the buckets of `sizeMs` that overlap [start, end), aligned to UTC. */
export function bucketStarts(range: TrafficRange, sizeMs: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(range.start / sizeMs) * sizeMs; t < range.end; t += sizeMs) starts.push(t);
  return starts;
}

/** The start of the 5-minute bucket an instant falls in. */
export function bucketOf(time: number): number {
  return Math.floor(time / BUCKET_MS) * BUCKET_MS;
}

export function bytesToMB(bytes: number): number {
  return round(bytes / 1_000_000);
}

/** Average megabits per second over a bucket. */
export function bytesToMbps(bytes: number, bucketMs: number): number {
  return round((bytes * 8) / (bucketMs / 1000) / 1_000_000);
}

/** Six decimals: a byte is 0.000001 MB, so nothing metered rounds away. */
export function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
