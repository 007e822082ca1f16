/** The endpoint aggregate and the parsing of its settings from the wire. */
import { Errors } from '../contract/errors.js';
import {
  SERVICE_TYPES,
  type EndpointSettingInput,
  type EndpointUpdateInput,
  type LIFETIME_STATUSES,
} from '../contract/schemas/endpoint.js';
import type { AccessControlPolicy } from './access-control.js';
import { DEFAULT_ACCESS_CONTROL } from './access-control.js';
import type { CachePolicyRules } from './cache-policy.js';
import { DEFAULT_CACHE_POLICY } from './cache-policy.js';
import { customDomainProblem, parseHostHeader, parseOriginAddress } from './hostname.js';
import { checkText } from './text.js';

export type ServiceType = (typeof SERVICE_TYPES)[number];
export type LifetimeStatus = (typeof LIFETIME_STATUSES)[number];

export const MAX_ORIGIN_ADDRESSES = 10;

export interface EndpointSettings {
  readonly customDomain: string;
  readonly host: string;
  readonly icp: string;
  readonly originAddresses: readonly string[];
  readonly serviceType: ServiceType;
}

export interface Endpoint extends EndpointSettings {
  readonly id: string;
  readonly subscriptionId: string;
  readonly enabled: boolean;
  readonly lifetimeStatus: LifetimeStatus;
  readonly timeLastUpdated: number;
  readonly cachePolicy: CachePolicyRules;
  readonly accessControl: AccessControlPolicy;
  readonly certificateId: string | null;
  readonly createdAt: number;
}

/** Validates a create request. CustomDomain is stored lower case. */
export function parseEndpointSetting(input: EndpointSettingInput): EndpointSettings {
  const customDomain = input.CustomDomain.trim().toLowerCase().replace(/\.$/, '');
  const problem = customDomainProblem(customDomain);
  if (problem) throw Errors.parameterInvalid(`CustomDomain "${input.CustomDomain}" ${problem}.`);
  const originAddresses = parseOriginAddresses(input.Origin.Addresses);
  const host = input.Host === undefined || input.Host === '' ? defaultHost(customDomain, originAddresses) : checkHost(input.Host);
  const serviceType = (input.ServiceType ?? 'Web') as ServiceType;
  const icp = input.ICP ?? '';
  if (icp.length > 100) throw Errors.parameterInvalid('ICP must be at most 100 characters.');
  checkText(icp, 'ICP');
  return { customDomain, host, icp, originAddresses, serviceType };
}

/**
 * The Host header sent to the origin when none is given: the first origin's host name, as
 * Azure does, so name-based origins (storage accounts, virtual hosts) work at once; when the
 * first origin is an IP address, the CustomDomain.
 */
function defaultHost(customDomain: string, originAddresses: readonly string[]): string {
  const first = parseOriginAddress(originAddresses[0]!);
  return typeof first !== 'string' && first.kind === 'name' ? first.host : customDomain;
}

/** The settings after an update; UpdateFlag says which one field changes. */
export function applyEndpointUpdate(current: EndpointSettings, input: EndpointUpdateInput): EndpointSettings {
  if (input.UpdateFlag === 'Origin') {
    const origin = input.EndpointSettings.Origin;
    if (origin === undefined) {
      throw Errors.parameterMissing('UpdateFlag is "Origin" but EndpointSettings.Origin is missing; send {"EndpointSettings": {"Origin": {"Addresses": [...]}}, "UpdateFlag": "Origin"}.');
    }
    return { ...current, originAddresses: parseOriginAddresses(origin.Addresses, 'EndpointSettings.Origin.Addresses') };
  }
  const host = input.EndpointSettings.Host;
  if (host === undefined || host === '') {
    throw Errors.parameterMissing('UpdateFlag is "HostHeader" but EndpointSettings.Host is missing; send {"EndpointSettings": {"Host": "..."}, "UpdateFlag": "HostHeader"}.');
  }
  return { ...current, host: checkHost(host, 'EndpointSettings.Host') };
}

function parseOriginAddresses(addresses: readonly string[], field = 'Origin.Addresses'): string[] {
  if (addresses.length === 0) throw Errors.parameterMissing(`${field} must list at least one origin address.`);
  if (addresses.length > MAX_ORIGIN_ADDRESSES) {
    throw Errors.parameterInvalid(`${field} lists ${addresses.length} addresses; at most ${MAX_ORIGIN_ADDRESSES} are allowed.`);
  }
  return addresses.map((address) => {
    const parsed = parseOriginAddress(address);
    if (typeof parsed === 'string') throw Errors.parameterInvalid(parsed);
    return address.toLowerCase();
  });
}

function checkHost(value: string, field = 'Host'): string {
  const host = parseHostHeader(value);
  if (host === undefined) throw Errors.parameterInvalid(`${field} "${value}" is not a valid host name or IP address (with an optional port).`);
  return host;
}

/** A new endpoint as stored at acceptance: Creating, enabled, default policies. */
export function newEndpoint(id: string, subscriptionId: string, settings: EndpointSettings, now: number): Endpoint {
  return {
    ...settings,
    id,
    subscriptionId,
    enabled: true,
    lifetimeStatus: 'Creating',
    timeLastUpdated: now,
    cachePolicy: DEFAULT_CACHE_POLICY,
    accessControl: DEFAULT_ACCESS_CONTROL,
    certificateId: null,
    createdAt: now,
  };
}
