/** The console's pages, addressed by the URL fragment (#/endpoints/ID/cache-rules), parsed purely. */

export const ENDPOINT_TABS = [
  ['settings', 'Settings'],
  ['cache-rules', 'Cache rules'],
  ['access-control', 'Access control'],
  ['content', 'Purge and preload'],
] as const;
export type EndpointTab = (typeof ENDPOINT_TABS)[number][0];

export type Route =
  | { readonly page: 'endpoints' }
  | { readonly page: 'endpoint'; readonly id: string; readonly tab: EndpointTab }
  | { readonly page: 'operations'; readonly endpoint: string | undefined }
  | { readonly page: 'traffic'; readonly endpoint: string | undefined }
  | { readonly page: 'certificates' }
  | { readonly page: 'fleet' };

const ID = /^[0-9a-fA-F-]{36}$/;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean);
  const endpoint = new URLSearchParams(query).get('endpoint') ?? undefined;
  const validEndpoint = endpoint && ID.test(endpoint) ? endpoint : undefined;
  switch (parts[0]) {
    case 'endpoints':
      if (parts[1] && ID.test(parts[1])) {
        const tab = ENDPOINT_TABS.find(([name]) => name === parts[2])?.[0] ?? 'settings';
        return { page: 'endpoint', id: parts[1], tab };
      }
      return { page: 'endpoints' };
    case 'operations':
      return { page: 'operations', endpoint: validEndpoint };
    case 'traffic':
      return { page: 'traffic', endpoint: validEndpoint };
    case 'certificates':
      return { page: 'certificates' };
    case 'fleet':
      return { page: 'fleet' };
    default:
      return { page: 'endpoints' };
  }
}
