/** Host names and origin addresses, checked without any lookup. */
import { isIPv4, isIPv6 } from 'node:net';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS host name (letters, digits, hyphens; labels of 1-63 characters; 253 at most). */
export function isHostname(value: string): boolean {
  const name = value.toLowerCase();
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}

/**
 * Why a name cannot be an endpoint's CustomDomain, or undefined if it can. The edge routes by
 * Host, so a tenant whose domain is what people type to reach the edge itself (an IP address,
 * localhost) would take over every request that names no endpoint. A domain must be a DNS
 * name of two labels or more whose last label is not a number (browsers read "1.2.3" and
 * "cdn.0x7f" as IPv4 addresses).
 */
export function customDomainProblem(name: string): string | undefined {
  const unbracketed = name.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(name) || isIPv6(unbracketed)) return 'is an IP address; an endpoint serves a domain name such as cdn.example.com';
  if (!isHostname(name)) return 'is not a valid domain name (letters, digits and hyphens in dot-separated labels)';
  const labels = name.toLowerCase().split('.');
  const last = labels[labels.length - 1]!;
  if (last === 'localhost') return 'names this machine (localhost); use a domain name such as cdn.example.com';
  if (labels.length < 2) return 'has a single label; use a fully qualified domain name such as cdn.example.com';
  if (/^(\d+|0x[0-9a-f]*)$/.test(last)) return 'ends in a number, which browsers read as an IP address; use a domain name such as cdn.example.com';
  return undefined;
}

export interface OriginAddress {
  /** Host name, IPv4 address, or IPv6 address without brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly kind: 'name' | 'ipv4' | 'ipv6';
}

/**
 * Parses one `Origin.Addresses` entry: `host`, `host:port`, `IPv4`, `IPv4:port`, `IPv6`,
 * `[IPv6]` or `[IPv6]:port`. Returns a sentence saying what is wrong when it is none of them.
 */
export function parseOriginAddress(value: string): OriginAddress | string {
  if (value !== value.trim() || value === '') return `Origin address "${value}" must be a host name or IP address without spaces.`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return `Origin address "${value}" must be host, host:port, IPv4 or [IPv6]:port, without a scheme.`;
  }
  if (isIPv6(value)) return { host: value.toLowerCase(), port: undefined, kind: 'ipv6' };
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (bracketed) {
    if (!isIPv6(bracketed[1]!)) return `Origin address "${value}" has "${bracketed[1]}" in brackets, which is not an IPv6 address.`;
    const port = bracketed[2] === undefined ? undefined : parsePort(bracketed[2]);
    if (port === null) return `Origin address "${value}" has an invalid port; use 1 to 65535.`;
    return { host: bracketed[1]!.toLowerCase(), port, kind: 'ipv6' };
  }
  const colon = value.lastIndexOf(':');
  const host = colon < 0 ? value : value.slice(0, colon);
  const port = colon < 0 ? undefined : parsePort(value.slice(colon + 1));
  if (port === null) return `Origin address "${value}" has an invalid port; use 1 to 65535.`;
  if (isIPv4(host)) return { host, port, kind: 'ipv4' };
  if (/^[\d.]+$/.test(host)) return `Origin address "${value}" is not a valid IPv4 address.`;
  if (!isHostname(host)) return `Origin address "${value}" is not a valid host name, IPv4 or [IPv6]:port.`;
  return { host: host.toLowerCase(), port, kind: 'name' };
}

/** The port, or null when the text is not 1 to 65535 in decimal digits. */
function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Parses a `Host` header value for the origin: a host name or IP, with an optional port. */
export function parseHostHeader(value: string): string | undefined {
  const parsed = parseOriginAddress(value);
  return typeof parsed === 'string' ? undefined : value.toLowerCase();
}
