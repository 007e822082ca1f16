/**
 * The edge's own status pages: /healthz, /readyz and /metrics, answered only for a Host that is
 * no endpoint's domain (e.g. http://127.0.0.1:8080/metrics), so customers' paths are never
 * shadowed.
 */
import type { ServerResponse } from 'node:http';
import type { Health } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';

export interface EdgeStatus {
  readonly metrics: Metrics;
  readonly health: Health;
}

export function serveEdgeStatus(path: string, res: ServerResponse, status: EdgeStatus): boolean {
  if (path === '/healthz') {
    send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
    return true;
  }
  if (path === '/readyz') {
    void status.health.report().then((report) => send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify(report)));
    return true;
  }
  if (path === '/metrics') {
    void status.metrics.exposition().then(
      (text) => send(res, 200, status.metrics.contentType, text),
      () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
    );
    return true;
  }
  return false;
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
