/** Access control as the domain sees it, and its parsing from the wire AccessControl. */
import { isIP } from 'node:net';
import { Errors } from '../contract/errors.js';
import type { AccessControlInput } from '../contract/schemas/access-control.js';
import { parseBooleanInput } from './boolean-input.js';
import { checkText } from './text.js';

export type RefererControlType = 'AllowList' | 'BlockList';

export interface AccessControlPolicy {
  readonly forbiddenIps: readonly string[];
  readonly refererControl: {
    readonly enabled: boolean;
    readonly pathPatterns: readonly string[];
    readonly referers: readonly string[];
    readonly type: RefererControlType;
  };
}

export const DEFAULT_ACCESS_CONTROL: AccessControlPolicy = {
  forbiddenIps: [],
  refererControl: { enabled: false, pathPatterns: [], referers: [], type: 'BlockList' },
};

export const MAX_FORBIDDEN_IPS = 1000;
export const MAX_REFERER_ENTRIES = 200;
/** Longer than any real path prefix or site name; keeps the edge's per-request matching small. */
export const MAX_REFERER_ENTRY_LENGTH = 1024;

export function parseAccessControl(input: AccessControlInput): AccessControlPolicy {
  const forbiddenIps = input.ForbiddenIps ?? [];
  if (forbiddenIps.length > MAX_FORBIDDEN_IPS) {
    throw Errors.parameterInvalid(`ForbiddenIps has ${forbiddenIps.length} entries; at most ${MAX_FORBIDDEN_IPS} are allowed.`);
  }
  forbiddenIps.forEach((entry, index) => {
    const problem = checkIpOrRange(entry);
    if (problem) throw Errors.parameterInvalid(`ForbiddenIps[${index}] "${entry}" ${problem}.`);
  });

  const referer = input.RefererControl ?? {};
  const enabled = parseBooleanInput(referer.Enabled, false);
  const pathPatterns = referer.PathPatterns ?? [];
  const referers = referer.Referers ?? [];
  for (const [field, list] of [['PathPatterns', pathPatterns], ['Referers', referers]] as const) {
    if (list.length > MAX_REFERER_ENTRIES) {
      throw Errors.parameterInvalid(`RefererControl.${field} has ${list.length} entries; at most ${MAX_REFERER_ENTRIES} are allowed.`);
    }
    list.forEach((entry, index) => {
      if (entry.trim() === '' || /[\s\u0000-\u001f\u007f]/.test(entry)) {
        throw Errors.parameterInvalid(`RefererControl.${field}[${index}] "${entry}" must be non-empty and contain no spaces or control characters.`);
      }
      if (entry.length > MAX_REFERER_ENTRY_LENGTH) {
        throw Errors.parameterInvalid(`RefererControl.${field}[${index}] is ${entry.length} characters long; at most ${MAX_REFERER_ENTRY_LENGTH} are allowed.`);
      }
      checkText(entry, `RefererControl.${field}[${index}]`);
    });
  }
  pathPatterns.forEach((pattern, index) => {
    if (!pattern.startsWith('/') && !pattern.startsWith('*')) {
      throw Errors.parameterInvalid(`RefererControl.PathPatterns[${index}] "${pattern}" must start with "/" or "*", e.g. "/images/*" or "*.mp4".`);
    }
  });
  if (enabled && referer.RefererControlType === undefined) {
    throw Errors.parameterMissing('RefererControl.RefererControlType is required when RefererControl.Enabled is true; use AllowList or BlockList.');
  }
  const type: RefererControlType = referer.RefererControlType === 'BlockList' || referer.RefererControlType === undefined ? 'BlockList' : 'AllowList';
  return {
    forbiddenIps: forbiddenIps.map((entry) => entry.toLowerCase()),
    refererControl: { enabled, pathPatterns: [...pathPatterns], referers: referers.map((r) => r.toLowerCase()), type },
  };
}

/** Undefined when `entry` is an IPv4/IPv6 address or CIDR range; otherwise what is wrong. */
export function checkIpOrRange(entry: string): string | undefined {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return 'is not an IPv4 or IPv6 address or CIDR range';
  if (slash < 0) return undefined;
  const prefix = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `has an invalid prefix length; use /0 to /${max}`;
  return undefined;
}
