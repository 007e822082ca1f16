/**
 * Which addresses the edge may connect to for an origin. Origins may point anywhere, so on a
 * public edge an origin at an internal address would make the edge a proxy into the operator's
 * network (the API's own /metrics came back through it). The operator lists denied ranges
 * (`--edge-origin-deny`, empty by default so origins on 127.0.0.1 work in development); the
 * server's own listeners are denied whatever the list says.
 *
 * Pure but for `localAddresses`, which is injected. The check runs on resolved addresses, at
 * connect time (origin-connector.ts), so host names and DNS rebinding are covered too.
 */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { checkIpOrRange } from '../../domain/access-control.js';
import { parseOriginAddress } from '../../domain/hostname.js';

export interface DeniedRange {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** The keyword that stands for every range an internet-facing edge should not reach. */
export const PRIVATE_KEYWORD = 'private';

const range = (cidr: string): DeniedRange => {
  const [address, prefix] = cidr.split('/') as [string, string];
  return { address, prefix: Number(prefix), family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
};

/**
 * What `private` expands to. IPv4-mapped IPv6 forms (::ffff:10.0.0.1) are covered by the IPv4
 * ranges: BlockList matches them (tested in origin-address.test.ts).
 */
export const PRIVATE_RANGES: readonly DeniedRange[] = [
  '0.0.0.0/8', // "this network": 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // carrier-grade NAT, RFC 6598 (also used inside clouds)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local: cloud metadata services (169.254.169.254)
  '172.16.0.0/12', // RFC 1918
  '192.168.0.0/16', // RFC 1918
  '::/128', // unspecified: reaches the local host
  '::1/128', // loopback
  'fc00::/7', // unique local addresses
  'fe80::/10', // link-local
].map(range);

/** Parses the deny list: comma-separated CIDR ranges, single addresses, and `private`. */
export function parseDenyList(text: string): { readonly ranges: readonly DeniedRange[] } | { readonly problem: string } {
  const ranges: DeniedRange[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry.toLowerCase() === PRIVATE_KEYWORD) {
      ranges.push(...PRIVATE_RANGES);
      continue;
    }
    const parsed = parseRange(entry);
    if (parsed === undefined) {
      return {
        problem: `"${entry}" is not a CIDR range (such as 10.0.0.0/8 or fc00::/7), an IP address, or the keyword "${PRIVATE_KEYWORD}"; give a comma-separated list of those.`,
      };
    }
    ranges.push(parsed);
  }
  return { ranges };
}

/** An address or CIDR range, checked as ForbiddenIps entries are (domain/access-control.ts). */
function parseRange(entry: string): DeniedRange | undefined {
  if (checkIpOrRange(entry) !== undefined) return undefined;
  const [address, prefix] = entry.split('/') as [string, string | undefined];
  const version = isIP(address);
  return { address, prefix: prefix === undefined ? (version === 4 ? 32 : 128) : Number(prefix), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Why a connection is refused: the operator's list, or one of this server's own listeners. */
export type Refusal = 'denied-range' | 'own-listener';

/** The addresses of this machine's interfaces. */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((info) => info.address));
}

/** Addresses that reach this host whatever it is bound to: loopback and unspecified. */
const UNSPECIFIED = ['0.0.0.0/32', '::/128'].map(range);
const ALWAYS_LOCAL = [...UNSPECIFIED, ...['127.0.0.0/8', '::1/128'].map(range)];

interface Listener {
  readonly port: number;
  /** Addresses that reach it; for a wildcard bind, also every interface address. */
  readonly reaches: BlockList;
  readonly wildcard: boolean;
}

export class OriginAddressPolicy {
  private readonly denied: BlockList;
  private readonly listeners: Listener[] = [];

  constructor(
    ranges: readonly DeniedRange[],
    private readonly localAddresses: () => readonly string[] = interfaceAddresses,
  ) {
    this.denied = blockList(ranges);
  }

  /**
   * Denies this server's listener at `address` (as bound: 0.0.0.0 and :: mean every local
   * address) and `port`, whatever the deny list says.
   */
  addListener(address: string, port: number): void {
    const wildcard = address === '0.0.0.0' || address === '::';
    // Bound to one address: that address, and the unspecified ones (connecting to 0.0.0.0
    // or :: reaches the local host).
    const reaches = blockList(wildcard ? ALWAYS_LOCAL : UNSPECIFIED);
    if (!wildcard) reaches.addAddress(bare(address), isIP(bare(address)) === 4 ? 'ipv4' : 'ipv6');
    this.listeners.push({ port, reaches, wildcard });
  }

  /** Why connecting to `ip`:`port` is refused, or undefined when it is allowed. */
  refusal(ip: string, port: number): Refusal | undefined {
    const address = bare(ip);
    const version = isIP(address);
    if (version === 0) return 'denied-range'; // not an address: nothing it could be checked against
    const family = version === 4 ? 'ipv4' : 'ipv6';
    if (this.denied.check(address, family)) return 'denied-range';
    for (const listener of this.listeners) {
      if (listener.port !== port) continue;
      if (listener.reaches.check(address, family)) return 'own-listener';
      if (listener.wildcard && this.isLocal(address, family)) return 'own-listener';
    }
    return undefined;
  }

  private isLocal(address: string, family: 'ipv4' | 'ipv6'): boolean {
    const local = new BlockList();
    for (const other of this.localAddresses()) {
      const plain = bare(other);
      const version = isIP(plain);
      if (version !== 0) local.addAddress(plain, version === 4 ? 'ipv4' : 'ipv6');
    }
    return local.check(address, family);
  }
}

function blockList(ranges: readonly DeniedRange[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) list.addSubnet(r.address, r.prefix, r.family);
  return list;
}

/** Without a zone index (fe80::1%eth0): BlockList does not take one. */
function bare(ip: string): string {
  const zone = ip.indexOf('%');
  return zone < 0 ? ip : ip.slice(0, zone);
}

/**
 * For the API, at acceptance: why an origin address given as an IP literal in a denied range
 * is refused, or undefined. Names are left to the connect-time check (they may resolve
 * anywhere, and change), which runs regardless.
 */
export function deniedLiteralCheck(ranges: readonly DeniedRange[]): (address: string, field: string) => string | undefined {
  const policy = new OriginAddressPolicy(ranges, () => []);
  return (address, field) => {
    const parsed = parseOriginAddress(address);
    if (typeof parsed === 'string' || parsed.kind === 'name') return undefined;
    if (policy.refusal(parsed.host, parsed.port ?? 80) === undefined) return undefined;
    return `${field} "${address}" is in an address range this server's origin policy denies; give an origin the edge may reach (a public address or host name).`;
  };
}
