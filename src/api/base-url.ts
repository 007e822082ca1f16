/**
 * The URL a server listening on `host` and `port` is reached at (0.0.0.0 as 127.0.0.1, IPv6 in
 * brackets); without a port while it does not listen yet.
 */
export function listeningUrl(host: string, port: number | undefined, tls: boolean): string {
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `${tls ? 'https' : 'http'}://${shownHost}${port === undefined ? '' : `:${port}`}`;
}
