/**
 * Access control at the edge: ForbiddenIps (addresses and CIDR ranges, v4 and v6) and referer
 * control on PathPatterns. A request with no Referer is allowed in both modes: browsers omit it
 * on direct visits and under strict privacy settings, so refusing it would refuse real users
 * (DESIGN.md, "The edge").
 */
import { BlockList, isIPv4 } from 'node:net';
import type { AccessControlPolicy } from '../../domain/access-control.js';
import { normalizePath } from '../../domain/url-path.js';

export interface CompiledAccess {
  readonly ipBlocked: (address: string) => boolean;
  readonly refererAllowed: (path: string, referer: string | undefined) => boolean;
}

export function compileAccess(policy: AccessControlPolicy): CompiledAccess {
  const blocks = new BlockList();
  for (const entry of policy.forbiddenIps) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) blocks.addAddress(address, family);
    else blocks.addSubnet(address, Number(prefix), family);
  }
  const hasIps = policy.forbiddenIps.length > 0;
  const control = policy.refererControl;
  // Paths reach us normalised (domain/url-path.ts); patterns are normalised the same way, so
  // "/图片/*" matches what the edge sees.
  const paths = control.pathPatterns.map((pattern) => globMatcher(normalizePath(pattern)));
  // An entry with "://" is matched against the whole referring URL, any other against its host.
  const referers = control.referers.map((pattern) =>
    pattern.includes('://') ? { full: true, matches: urlMatcher(pattern) } : { full: false, matches: globMatcher(pattern) },
  );

  return {
    ipBlocked(address) {
      if (!hasIps) return false;
      const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
      return blocks.check(v4, isIPv4(v4) ? 'ipv4' : 'ipv6');
    },
    refererAllowed(path, referer) {
      if (!control.enabled || referer === undefined || referer === '') return true;
      if (paths.length > 0 && !paths.some((matches) => matches(path))) return true;
      const host = hostOf(referer);
      const matches = referers.some((r) => r.matches(r.full ? referer : host));
      return control.type === 'AllowList' ? matches : !matches;
    },
  };
}

/**
 * A matcher for a glob: `*` matches any run of characters, everything else is literal in any
 * case, and the whole text must match. Matched without backtracking (STYLE.md: tenants' pattern
 * languages in linear time): the parts between stars are found left to right, each at its first
 * place after the one before, which is where it leaves the most room for the rest. (A regular
 * expression ".*a.*a.*b" took exponential time on a long Referer: one request stopped the process.)
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  const parts = pattern.toLowerCase().split('*');
  const first = parts[0]!;
  if (parts.length === 1) return (text) => text.toLowerCase() === first;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  return (raw) => {
    const text = raw.toLowerCase();
    const end = text.length - last.length;
    if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
    let at = first.length;
    for (const part of middle) {
      const found = text.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

/**
 * A Referers entry written as a URL ("http://ok.test", "https://ok.test/shop"): it names a
 * site or a part of one, so it matches the referring pages under it — the URL itself, or it
 * followed by "/", "?" or "#" — as users who paste a URL expect. "http://ok.test" matches
 * "http://ok.test/page" but neither "http://ok.test.evil/" nor "http://ok.test:8080/".
 */
function urlMatcher(pattern: string): (referer: string) => boolean {
  if (pattern.endsWith('*')) return globMatcher(pattern);
  if (pattern.endsWith('/')) return globMatcher(`${pattern}*`);
  const matchers = [pattern, `${pattern}/*`, `${pattern}?*`, `${pattern}#*`].map(globMatcher);
  return (referer) => matchers.some((matches) => matches(referer));
}

function hostOf(referer: string): string {
  try {
    return new URL(referer).hostname.toLowerCase();
  } catch {
    return referer.toLowerCase();
  }
}
