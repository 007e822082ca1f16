/** What the fleet page and the purge view say about edges, from the API's answers. */
import type { EdgeList } from '../contract/schemas/fleet.js';

type Edge = EdgeList['Edges'][number];

/** "3 edges: 2 serving, 1 fenced" (states with no edge left out). */
export function fleetSummary(edges: readonly Pick<Edge, 'State'>[]): string {
  if (edges.length === 0) return 'No edge has reported to the control plane yet.';
  const counts = new Map<string, number>();
  for (const edge of edges) counts.set(edge.State, (counts.get(edge.State) ?? 0) + 1);
  const parts = ['serving', 'syncing', 'fenced'].filter((state) => counts.has(state)).map((state) => `${counts.get(state)} ${state}`);
  return `${edges.length} ${edges.length === 1 ? 'edge' : 'edges'}: ${parts.join(', ')}`;
}

/** A heartbeat's age as a person reads it: "0.4 s ago", "12 s ago", "3 min ago", "2 h ago". */
export function formatAge(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s ago`;
  if (seconds < 120) return `${Math.round(seconds)} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** What each state means, for the page's key and the purge view's footnote. */
export const EDGE_STATES = {
  serving: 'up to date with the fleet log, serving from cache',
  syncing: 'catching up with the fleet log',
  fenced: 'cut off from the control plane past its lease: it serves nothing from cache until it has caught up',
} as const;

export const FENCED_OUTCOME = 'cut off; applies this before serving from cache again';
