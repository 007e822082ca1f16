/**
 * undici's connector with the origin address policy (policy/origin-address.ts) applied at
 * connect time: to an IP literal before connecting, and to a host name on every address its
 * lookup returns, before any is tried. A name that resolves to a denied address is refused,
 * and a name that rebinds between an earlier check and the connection cannot slip past,
 * because the addresses checked are the ones connected to.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { OriginAddressPolicy, Refusal } from './policy/origin-address.js';

/** A connection the origin policy refused. Its message names the address: for logs, not clients. */
export class OriginAddressDenied extends Error {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly port: number,
    readonly refusal: Refusal,
  ) {
    const target = hostname === address ? `${address}:${port}` : `${hostname}:${port} (resolved to ${address})`;
    const why = refusal === 'own-listener' ? "it is one of this server's own listeners" : 'it is in a range --edge-origin-deny denies';
    super(`${target} is denied by the origin policy: ${why}`);
    this.name = 'OriginAddressDenied';
  }
}

/** dns.lookup's shape with `all: true`; injectable so a test can play a rebinding name. */
export type Resolver = (hostname: string, options: { all: true; family?: number; hints?: number }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export function guardedConnector(policy: OriginAddressPolicy, options: buildConnector.BuildOptions, resolve: Resolver = dnsLookup): buildConnector.connector {
  const forLiterals = buildConnector(options);
  // The lookup must know the port (own listeners are address and port), and undici gives a
  // connector's options once: one connector per origin port, a handful in practice.
  const byPort = new Map<number, buildConnector.connector>();
  return (target, callback) => {
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
    if (isIP(target.hostname) !== 0) {
      const refusal = policy.refusal(target.hostname, port);
      if (refusal) {
        const error = new OriginAddressDenied(target.hostname, target.hostname, port, refusal);
        queueMicrotask(() => callback(error, null));
        return;
      }
      forLiterals(target, callback);
      return;
    }
    let connector = byPort.get(port);
    if (!connector) {
      connector = buildConnector({ ...options, lookup: checkedLookup(policy, port, resolve) });
      byPort.set(port, connector);
    }
    connector(target, callback);
  };
}

/** dns.lookup, failing when any address the name resolves to is refused for `port`. */
export function checkedLookup(policy: OriginAddressPolicy, port: number, resolve: Resolver = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    // Asked afresh on every connection (dns.lookup does not cache), so what is checked is what
    // this connection uses.
    resolve(hostname, { ...(options as { family?: number; hints?: number }), all: true }, (error, addresses) => {
      const answer = callback as (error: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;
      if (error) return answer(error);
      for (const { address } of addresses) {
        const refusal = policy.refusal(address, port);
        if (refusal) return answer(new OriginAddressDenied(hostname, address, port, refusal));
      }
      if (options.all) return answer(null, addresses);
      return answer(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
