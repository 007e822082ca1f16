/**
 * The most specific cache rule for a path: a FullUri rule naming it, else the Dir rule with the
 * longest matching directory, else a Suffix rule for its extension (DESIGN.md, "The edge").
 *
 * `path` is the edge's normalised path (domain/url-path.ts); FullUri and Dir items are
 * normalised the same way, so a rule written with raw non-ASCII characters ("/图片/") or with
 * escapes of unreserved characters ("/a%7eb") names the paths the edge actually sees.
 */
import type { CacheRule } from '../../domain/cache-policy.js';
import { normalizePath } from '../../domain/url-path.js';

export function matchCacheRule(rules: readonly CacheRule[], path: string): CacheRule | undefined {
  const lowerPath = path.toLowerCase();
  const fullUri = rules.find((rule) => rule.type === 'FullUri' && rule.items.some((item) => normalizePath(item) === path));
  if (fullUri) return fullUri;

  let best: { rule: CacheRule; length: number } | undefined;
  for (const rule of rules) {
    if (rule.type !== 'Dir') continue;
    for (const raw of rule.items) {
      const item = normalizePath(raw);
      const dir = item.endsWith('/') ? item : `${item}/`;
      if ((path.startsWith(dir) || path === item) && (!best || dir.length > best.length)) best = { rule, length: dir.length };
    }
  }
  if (best) return best.rule;

  const name = lowerPath.slice(lowerPath.lastIndexOf('/') + 1);
  return rules.find(
    (rule) => rule.type === 'Suffix' && rule.items.some((item) => name.endsWith(item.startsWith('.') ? item.toLowerCase() : `.${item.toLowerCase()}`)),
  );
}
