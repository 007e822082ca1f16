/** Domain objects as the wire shapes of CONTRACT §5 and §7 (PascalCase, JSON booleans and numbers, ISO times). */
import type { AccessControl } from '../contract/schemas/access-control.js';
import type { AsyncResponse } from '../contract/schemas/api-response.js';
import type { CachePolicy } from '../contract/schemas/cache-policy.js';
import type { Certificate } from '../contract/schemas/certificate.js';
import type { Endpoint as WireEndpoint } from '../contract/schemas/endpoint.js';
import type { Operation } from '../contract/schemas/operation.js';
import type { PreloadResult, PurgeResult } from '../contract/schemas/purge-preload.js';
import type { EdgeOutcomeRecord } from '../store/repositories/edges.js';
import type { EdgeList } from '../contract/schemas/fleet.js';
import { fleetView, type EdgeRow } from '../domain/fleet-view.js';
import type { AccessControlPolicy } from '../domain/access-control.js';
import type { CachePolicyRules } from '../domain/cache-policy.js';
import type { StoredCertificate } from '../domain/certificate.js';
import type { Endpoint } from '../domain/endpoint.js';
import type { OperationItem, OperationRecord } from '../domain/operation.js';

export function isoTime(time: number): string {
  return new Date(time).toISOString();
}

/**
 * The Endpoint as the live service sent it (CONTRACT §7): id and settings under both names,
 * AllowedScheme and CName, JSON booleans; not Enabled and ICP still verifying while Creating.
 */
export function presentEndpoint(endpoint: Endpoint, cnameSuffix: string): WireEndpoint {
  const settings = {
    CustomDomain: endpoint.customDomain,
    Host: endpoint.host,
    ICP: endpoint.icp,
    Origin: { Addresses: [...endpoint.originAddresses] },
    ServiceType: endpoint.serviceType,
    // The edge serves plain HTTP always, and HTTPS once a certificate is bound.
    AllowedScheme: endpoint.certificateId === null ? 'Http' : 'HttpAndHttps',
    CName: `${endpoint.customDomain}.${cnameSuffix}`,
  };
  const created = endpoint.lifetimeStatus !== 'Creating' && endpoint.lifetimeStatus !== 'CreationFailed';
  return {
    EndpointId: endpoint.id,
    EndpointID: endpoint.id,
    Settings: settings,
    Setting: settings,
    Status: {
      Enabled: created && endpoint.enabled,
      // ICP filing is a mainland-China legal check mooncdn cannot make: a domain is "verifying"
      // while its endpoint is created, then verified.
      IcpVerifyStatus: endpoint.lifetimeStatus === 'Creating' ? 'IcpVerifying' : 'IcpVerified',
      LifetimeStatus: endpoint.lifetimeStatus,
      // mooncdn serves whatever Host reaches its edges and does not look at DNS.
      CNameConfigured: true,
      FreeTrialExpired: false,
      TimeLastUpdated: isoTime(endpoint.timeLastUpdated),
    },
  };
}

export function presentOperation(operation: OperationRecord): Operation {
  return {
    Id: operation.id,
    Type: operation.type,
    Status: operation.status,
    Message: operation.message,
    Start: isoTime(operation.startedAt),
    End: operation.endedAt === null ? null : isoTime(operation.endedAt),
    EndpointId: operation.endpointId,
    SubscriptionId: operation.subscriptionId,
  };
}

/** The 202 body. TaskStatus is Processing, or Succeeded for a change that had nothing to do. */
export function presentAccepted(operation: OperationRecord): AsyncResponse {
  return {
    Succeeded: true,
    IsAsync: true,
    AsyncInfo: { TaskTrackId: operation.id, TaskStatus: operation.status === 'Succeeded' ? 'Succeeded' : 'Processing' },
  };
}

export function presentCachePolicy(policy: CachePolicyRules): CachePolicy {
  return {
    Rules: policy.rules.map((rule) => ({ Type: rule.type, Items: [...rule.items], TTL: rule.ttlSeconds })),
    IgnoreCacheControl: policy.ignoreCacheControl,
    IgnoreQueryString: policy.ignoreQueryString,
    IgnoreCookie: policy.ignoreCookie,
  };
}

export function presentAccessControl(policy: AccessControlPolicy): AccessControl {
  return {
    ForbiddenIps: [...policy.forbiddenIps],
    RefererControl: {
      Enabled: policy.refererControl.enabled,
      PathPatterns: [...policy.refererControl.pathPatterns],
      Referers: [...policy.refererControl.referers],
      RefererControlType: policy.refererControl.type,
    },
  };
}

/** Tags and Soft (extensions) appear only for purges that used them: a v1.0 purge reads as before. */
export function presentPurgeResult(items: readonly OperationItem[], edges: readonly EdgeOutcomeRecord[], soft: boolean): PurgeResult {
  const item = (i: OperationItem) => ({ Url: i.url, Status: i.status });
  const tags = items.filter((i) => i.kind === 'tag');
  return {
    Files: items.filter((i) => i.kind === 'file').map(item),
    Directories: items.filter((i) => i.kind === 'directory').map(item),
    ...(tags.length > 0 && { Tags: tags.map((i) => ({ Tag: i.url, Status: i.status })) }),
    ...(soft && { Soft: true }),
    Edges: presentEdgeResults(edges),
  };
}

export function presentPreloadResult(items: readonly OperationItem[], edges: readonly EdgeOutcomeRecord[]): PreloadResult {
  return { Files: items.map((i) => ({ Url: i.url, Status: i.status })), Edges: presentEdgeResults(edges) };
}

function presentEdgeResults(edges: readonly EdgeOutcomeRecord[]) {
  return edges.map(presentEdgeResult);
}

/** One edge's part in a purge or preload (extension): in its result's Edges and its event stream. */
export function presentEdgeResult(edge: EdgeOutcomeRecord) {
  return { EdgeId: edge.edgeId, Status: edge.status, Message: edge.message };
}

export function presentCertificate(cert: StoredCertificate): Certificate {
  return {
    CertificateId: cert.id,
    SubscriptionId: cert.subscriptionId,
    CertificateName: cert.name,
    Name: cert.name,
    Subject: cert.subject,
    Issuer: cert.issuer,
    Thumbprint: cert.thumbprint,
    DnsNames: [...cert.dnsNames],
    NotBefore: isoTime(cert.notBefore),
    NotAfter: isoTime(cert.notAfter),
  };
}

/** The fleet as operators read it (GET /edges and `mooncdn admin edges`). */
export function presentFleet(now: number, rows: readonly EdgeRow[]): EdgeList {
  return {
    Edges: fleetView(now, rows).map((edge) => ({
      EdgeId: edge.id,
      Address: edge.address,
      State: edge.state,
      AppliedSequence: edge.appliedSeq,
      Lag: edge.lag,
      Features: [...edge.features],
      LastHeartbeat: new Date(edge.lastHeartbeat).toISOString(),
      HeartbeatAgeSeconds: edge.heartbeatAgeMs / 1000,
      LeaseExpires: new Date(edge.leaseUntil).toISOString(),
    })),
  };
}
