/**
 * The part of an endpoint's configuration the edge can use. The API refuses what would break
 * the edge (domain/text.ts), but a store written by an older version may still hold it: a cache
 * rule item or referer pattern with a lone UTF-16 surrogate (which normalizePath cannot
 * encode), a ForbiddenIps entry that is no address. Kept, one such item made every miss of the
 * endpoint a 502, or the whole configuration fail to apply. Left out, it changes nothing a
 * request could match: no request path, Referer header or client address can hold it.
 */
import { checkIpOrRange } from '../../domain/access-control.js';
import { printable } from '../../domain/text.js';
import type { EdgeEndpointConfig } from '../../operations/edge-config.js';

export interface UsableConfig {
  readonly config: EdgeEndpointConfig;
  /** What was left out, one phrase each, for the log. */
  readonly ignored: readonly string[];
}

const wellFormed = (entry: string) => entry.isWellFormed();

export function usableConfig(config: EdgeEndpointConfig): UsableConfig {
  const ignored: string[] = [];
  const kept = (entries: readonly string[], usable: (entry: string) => boolean, what: string, field: string) =>
    entries.filter((entry, index) => usable(entry) || (ignored.push(`${what} "${printable(entry)}" (${field}[${index}])`), false));

  const rules = config.cachePolicy.rules
    .map((rule, index) => ({ ...rule, items: kept(rule.items, wellFormed, 'cache rule item', `Rules[${index}].Items`) }))
    .filter((rule) => rule.items.length > 0);
  const { forbiddenIps, refererControl } = config.accessControl;
  const accessControl = {
    forbiddenIps: kept(forbiddenIps, (entry) => checkIpOrRange(entry) === undefined, 'ForbiddenIps entry', 'ForbiddenIps'),
    refererControl: {
      ...refererControl,
      pathPatterns: kept(refererControl.pathPatterns, wellFormed, 'referer path pattern', 'RefererControl.PathPatterns'),
      referers: kept(refererControl.referers, wellFormed, 'referer', 'RefererControl.Referers'),
    },
  };
  if (ignored.length === 0) return { config, ignored };
  return { config: { ...config, cachePolicy: { ...config.cachePolicy, rules }, accessControl }, ignored };
}
